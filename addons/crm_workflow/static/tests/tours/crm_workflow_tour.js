import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A participant records a customer event, starts it and marks it done.
 */
registry.category("web_tour.tours").add("crm_workflow_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Workflow app",
            trigger: ".o_app[data-menu-xmlid='crm_workflow.crm_workflow_menu_root']",
            run: "click",
        },
        {
            content: "Open the customer events",
            trigger: ".o_menu_sections [data-menu-xmlid='crm_workflow.crm_event_menu']",
            run: "click",
        },
        {
            content: "Record a new event",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Give it a subject",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour: late delivery complaint",
        },
        {
            content: "It is a complaint",
            trigger: ".o_form_view .o_field_widget[name=event_type] select",
            run: "selectByLabel Complaint",
        },
        {
            content: "Start working on it (saves the event)",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "The event is in progress",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('In Progress')",
        },
        {
            content: "Mark it done",
            trigger: ".o_form_view button[name=action_done]",
            run: "click",
        },
        {
            content: "The event is done",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
        {
            content: "Back to the list of events",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The list is shown again",
            trigger: ".o_list_view",
        },
    ],
});
