{
    "name": "CRM Marketing",
    "summary": "Campaigns with budget and ROI, segmentation and customer classification",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["crm_workflow", "sale_crm"],
    "data": [
        "security/crm_marketing_groups.xml",
        "security/crm_marketing_security.xml",
        "security/ir.model.access.csv",
        "data/crm_marketing_rfm_data.xml",
        "views/crm_marketing_campaign_views.xml",
        "views/crm_marketing_rfm_score_views.xml",
        "views/crm_marketing_rfm_settings_views.xml",
        "views/res_partner_views.xml",
        "views/crm_marketing_menus.xml",
    ],
    "demo": [
        "demo/crm_marketing_campaign_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_marketing/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}
