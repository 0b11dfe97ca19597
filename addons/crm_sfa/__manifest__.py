{
    "name": "CRM Sales Force Automation",
    "summary": "Department-level sales management on the ERP's own staff, orders and receivables",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["crm_workflow", "sale_crm", "account"],
    "data": [
        "security/crm_sfa_groups.xml",
        "security/crm_sfa_security.xml",
    ],
    "demo": [
        "demo/crm_sfa_team_demo.xml",
        "demo/crm_sfa_lead_demo.xml",
        "demo/crm_sfa_sale_demo.xml",
    ],
    "installable": True,
}
