import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * The module's main flow, from a real lead: the salesperson opens it from CRM > Leads,
 * confirms qualification criteria (the score follows), converts it to an opportunity,
 * tries to move it to Proposition (the stage gate refuses, saying what is missing), fills
 * in the expected revenue (the move goes through), makes a quotation, confirms it, and the
 * opportunity is won.
 */
registry.category("web_tour.tours").add("crm_sfa_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open CRM",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the leads",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_leads']",
            run: "click",
        },
        {
            content: "Open the lead",
            trigger: ".o_list_view .o_data_row td[name=name]:contains('SFA Tour Deal')",
            run: "click",
        },
        {
            content: "Open the qualification",
            trigger: ".o_notebook .nav-link:contains('Qualification')",
            run: "click",
        },
        {
            content: "Confirm the budget",
            trigger: ".o_field_widget[name=crm_qualification_criterion_ids] .form-check:contains('Budget') input",
            run: "click",
        },
        {
            content: "Confirm the authority",
            trigger: ".o_field_widget[name=crm_qualification_criterion_ids] .form-check:contains('Authority') input",
            run: "click",
        },
        {
            content: "Confirm the need",
            trigger: ".o_field_widget[name=crm_qualification_criterion_ids] .form-check:contains('Need') input",
            run: "click",
        },
        {
            content: "Three of the four criteria: the score is 75 %",
            trigger: ".o_form_view .o_field_widget[name=crm_qualification_score]:contains('75')",
        },
        {
            content: "Save the lead",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Convert it to an opportunity",
            trigger: ".o_form_view .o_form_saved .o_statusbar_buttons button:contains('Convert to Opportunity')",
            run: "click",
        },
        {
            content: "Keep its customer and create the opportunity",
            trigger: ".modal .modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "It is an opportunity, at New",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('New')",
        },
        {
            content: "Move it to Proposition",
            trigger: ".o_form_view .o_statusbar_status button:contains('Proposition')",
            run: "click",
        },
        {
            content: "The stage gate refuses, saying what to fill in",
            trigger: ".modal .modal-body:contains('Fill in Expected Revenue before moving SFA Tour Deal to Proposition.')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Fill in the expected revenue",
            trigger: ".o_form_view .o_field_widget[name=expected_revenue] input",
            run: "edit 25000",
        },
        {
            content: "Save: the move goes through",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The opportunity is at Proposition",
            trigger: ".o_form_view .o_form_saved .o_statusbar_status .o_arrow_button_current:contains('Proposition')",
        },
        {
            content: "Make a quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_sale_quotations_new]",
            run: "click",
        },
        {
            content: "The quotation is for the opportunity's customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('SFA Tour Customer')",
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
            run: "edit SFA Tour Product",
        },
        {
            content: "Select the product among the suggestions",
            trigger: ".o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains('SFA Tour Product')",
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
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('SFA Tour Deal')",
            run: "click",
        },
        {
            content: "The opportunity shows its order",
            trigger: ".o_form_view button[name=action_view_sale_order]:contains('Orders')",
        },
        {
            // crm_sfa wins the opportunity of a confirmed order: then there is no Won button left
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
