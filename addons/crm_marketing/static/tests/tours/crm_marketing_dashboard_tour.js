import { registry } from "@web/core/registry";

/**
 * The marketing dashboard opens with its KPI cards and charts, and leads to the market analysis.
 */
registry.category("web_tour.tours").add("crm_marketing_dashboard_tour", {
    steps: () => [
        {
            content: "The revenue card shows an amount",
            trigger: ".o_crm_marketing_dashboard .o_crm_marketing_kpi_revenue .fs-4:not(:empty)",
        },
        {
            content: "The charts are drawn",
            trigger: ".o_crm_marketing_dashboard .o_crm_marketing_chart canvas",
        },
        {
            content: "Open the market analysis",
            trigger: ".o_crm_marketing_dashboard .o_crm_marketing_open_analysis",
            run: "click",
        },
        {
            content: "The analysis pivot is shown",
            trigger: ".o_pivot_view",
        },
    ],
});
