import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_dss_tour", {
    steps: () => [
        {
            content: "Decision Support opens on the company performance graph",
            trigger: ".o_menu_brand:contains(Decision Support)",
        },
        {
            content: "The graph is shown first",
            trigger: ".o_graph_view .o_graph_renderer",
        },
        {
            content: "Switch to the pivot table",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot table lists the companies",
            trigger: ".o_pivot_view .o_pivot table th:contains(Tour Performance Company)",
        },
    ],
});
