{
    "name": "CRM Integration (EAI)",
    "summary": "Exchange with external MIS/PDM systems over SOAP and encrypted XML, logged and retried",
    "version": "18.0.1.0.0",
    "category": "Administration/Integration",
    "author": "CRM Suite",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["mail"],
    "external_dependencies": {"python": ["zeep"]},
    "data": [
        "security/crm_eai_groups.xml",
        "security/crm_eai_security.xml",
        "security/ir.model.access.csv",
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
    "installable": True,
}
