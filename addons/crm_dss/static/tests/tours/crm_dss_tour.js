import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_dss_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Decision Support",
            trigger: ".o_app[data-menu-xmlid='crm_dss.crm_dss_menu_root']",
            run: "click",
        },
        {
            content: "Open the Executive Dashboard",
            trigger: ".o_menu_sections [data-menu-xmlid='crm_dss.crm_dss_dashboard_menu']",
            run: "click",
        },
        {
            content: "The dashboard shows its figures per company",
            trigger: ".o_crm_dss_dashboard .o_crm_dss_section_overview td:contains(Tour Performance Company)",
        },
        {
            content: "Click the newly signed customers (drill-down)",
            trigger: ".o_crm_dss_kpi[data-kpi='signed_customers'] .o_crm_dss_kpi_value:contains(1)",
            run: "click",
        },
        {
            content: "The list of the customers behind the figure opens",
            trigger: ".o_list_view .o_data_row td:contains(Tour Customer)",
        },
        {
            content: "The breadcrumb names the figure",
            trigger: ".o_breadcrumb:contains(Newly Signed Customers)",
        },
    ],
});
