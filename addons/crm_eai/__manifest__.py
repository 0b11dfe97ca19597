{
    "name": "CRM Integration (EAI)",
    "summary": "Exchange with external MIS/PDM/ERP systems over SOAP and signed, encrypted XML: "
    "mapped without code, logged, retried in the background, nothing lost or doubled",
    "version": "18.0.2.0.0",
    "category": "Administration/Integration",
    "author": "CRM Suite",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["crm_workflow", "queue_job", "sale"],
    "external_dependencies": {"python": ["zeep", "cryptography", "lxml"]},
    "data": [
        "security/crm_eai_groups.xml",
        "security/crm_eai_security.xml",
        "security/ir.model.access.csv",
        "data/crm_eai_data.xml",
        "views/crm_eai_exchange_views.xml",
        "views/crm_eai_mapping_views.xml",
        "views/crm_eai_key_views.xml",
        "views/crm_eai_binding_views.xml",
        "views/crm_eai_backend_views.xml",
        "views/crm_eai_menus.xml",
    ],
    "demo": [
        "demo/crm_eai_backend_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_eai/static/tests/tours/**/*",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
