import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * The module's main flow, as an integration operator (no Settings rights): open the
 * Integration app from the home menu, see on the dashboard that a system has a message
 * failing and one given up, open the exchange log filtered on the one given up, read its
 * error, retry it, and the message is pending again.
 */
registry.category("web_tour.tours").add("crm_eai_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Integration app",
            trigger: ".o_app[data-menu-xmlid='crm_eai.crm_eai_menu_root']",
            run: "click",
        },
        {
            content: "The dashboard shows the system, its messages given up",
            trigger: ".o_kanban_record:contains('Tour MIS'):contains('Messages given up')",
        },
        {
            content: "One message failing, to be retried",
            trigger: ".o_kanban_record:contains('Tour MIS') a:contains('Failing'):has(.fs-4:contains('1'))",
        },
        {
            content: "One message given up: open them",
            trigger: ".o_kanban_record:contains('Tour MIS') a:contains('Given up'):has(.fs-4:contains('1'))",
            run: "click",
        },
        {
            content: "The exchange log is filtered on the messages given up",
            trigger: ".o_searchview_facet:contains('Given Up')",
        },
        {
            content: "Open the message",
            trigger: ".o_list_view .o_data_row td[name=entity]:contains('order')",
            run: "click",
        },
        {
            content: "Its error says what went wrong",
            trigger: ".o_form_view .o_field_widget[name=error]:contains('The system refused order S00042')",
        },
        {
            content: "Retry it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_retry]",
            run: "click",
        },
        {
            content: "The message is pending again, and cannot be retried twice",
            trigger:
                ".o_form_view:not(:has(.o_statusbar_buttons button[name=action_retry])) .o_statusbar_status .o_arrow_button_current:contains('Pending')",
        },
    ],
});
