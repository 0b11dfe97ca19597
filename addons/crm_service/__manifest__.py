{
    "name": "CRM Service",
    "summary": "Service and complaint cases, SLAs, knowledge base and the customer portal",
    "version": "18.0.1.0.0",
    "category": "Services/Service",
    "author": "CRM Suite",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["crm_workflow", "portal"],
    "data": [
        "security/crm_service_groups.xml",
        "security/crm_service_security.xml",
        "security/ir.model.access.csv",
        "data/crm_service_case_sequence.xml",
        "views/crm_service_case_views.xml",
        "views/crm_service_menus.xml",
    ],
    "demo": [
        "demo/crm_service_case_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_service/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
