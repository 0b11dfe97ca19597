{
    "name": "CRM Suite Tests",
    "summary": "Suite-level tests that need several modules of the CRM suite (not for production)",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "CRM Suite",
    "license": "LGPL-3",
    "depends": ["crm_sfa", "crm_marketing", "crm_service", "crm_workflow", "crm_eai", "crm_dss"],
    "installable": True,
}
