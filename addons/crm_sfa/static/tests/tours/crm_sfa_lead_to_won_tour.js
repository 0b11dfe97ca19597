import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A salesperson takes a new opportunity to a won deal: adds it to the pipeline with its
 * customer, makes a quotation from it, confirms the order, and marks the opportunity won.
 */
registry.category("web_tour.tours").add("crm_sfa_lead_to_won_tour", {
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
            run: "edit SFA Won Customer",
        },
        {
            content: "Select the customer among the suggestions",
            trigger: ".o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains('SFA Won Customer')",
            run: "click",
        },
        {
            content: "Name the opportunity",
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit SFA Won Opportunity",
        },
        {
            content: "Add it to the pipeline",
            trigger: ".o_kanban_quick_create button.o_kanban_add",
            run: "click",
        },
        {
            content: "Open the opportunity",
            trigger: ".o_kanban_record:contains('SFA Won Opportunity')",
            run: "click",
        },
        {
            content: "The form shows the customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('SFA Won Customer')",
        },
        {
            content: "Make a quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_sale_quotations_new]",
            run: "click",
        },
        {
            content: "The quotation is for the opportunity's customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('SFA Won Customer')",
        },
        {
            content: "Add a product line",
            trigger: ".o_field_widget[name=order_line] .o_field_x2many_list_row_add > a",
            run: "click",
        },
        {
            content: "Pick the product",
            trigger:
                ".o_field_widget[name=order_line] .o_selected_row .o_field_widget[name=product_id] input, " +
                ".o_field_widget[name=order_line] .o_selected_row .o_field_widget[name=product_template_id] input",
            run: "edit SFA Won Product",
        },
        {
            content: "Select the product among the suggestions",
            trigger: ".o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains('SFA Won Product')",
            run: "click",
        },
        {
            content: "The line takes the product's price",
            trigger: ".o_field_widget[name=order_line] .o_data_row .o_field_widget[name=price_unit] input:value('1,250.00')",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The quotation is now a sales order",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
        {
            content: "Back to the opportunity",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('SFA Won Opportunity')",
            run: "click",
        },
        {
            content: "The opportunity shows its order",
            trigger: ".o_form_view button[name=action_view_sale_order]:contains('Orders')",
        },
        {
            // Confirming the order may already have won the opportunity (crm_sfa wins the
            // opportunity of a confirmed order): then there is no Won button left to click.
            content: "Mark the opportunity won",
            trigger: ".o_form_view .o_statusbar_buttons",
            run() {
                this.anchor.querySelector("button[name=action_set_won_rainbowman]")?.click();
            },
        },
        {
            content: "The opportunity is won",
            trigger: ".o_form_view .ribbon:contains('Won')",
        },
    ],
});
