import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A salesperson opens the CRM pipeline and adds an opportunity for a customer.
 */
registry.category("web_tour.tours").add("crm_sfa_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM pipeline",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Add an opportunity",
            trigger: ".o_kanban_view .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Pick the customer",
            trigger: ".o_kanban_quick_create .o_field_widget[name=partner_id] input",
            run: "edit SFA Tour Customer",
        },
        {
            content: "Select the customer among the suggestions",
            trigger: ".o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains('SFA Tour Customer')",
            run: "click",
        },
        {
            content: "Name the opportunity",
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit SFA Tour Opportunity",
        },
        {
            content: "Add it to the pipeline",
            trigger: ".o_kanban_quick_create button.o_kanban_add",
            run: "click",
        },
        {
            content: "The opportunity is in the pipeline",
            trigger: ".o_kanban_record:contains('SFA Tour Opportunity')",
            run: "click",
        },
        {
            content: "Its form shows the customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('SFA Tour Customer')",
        },
    ],
});
