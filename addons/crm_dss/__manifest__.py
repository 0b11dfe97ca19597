{
    "name": "CRM Decision Support",
    "summary": "Executive and department dashboards, early warnings and periodic decision reports",
    "version": "18.0.1.0.0",
    "category": "Sales/Decision Support",
    "author": "CRM Suite",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["crm_workflow", "sale", "account"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/crm_dss_groups.xml",
        "security/crm_dss_security.xml",
        "security/ir.model.access.csv",
        "report/crm_dss_report_company_views.xml",
        "views/crm_dss_menus.xml",
    ],
    "demo": [
        "demo/crm_dss_user_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_dss/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
