import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A marketer plans a campaign for a segment in CRM > Marketing > Campaigns, adds a
 * mailing step, prepares its mailing from the plan and sends it to the segment.
 */
registry.category("web_tour.tours").add("crm_marketing_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the Marketing menu",
            trigger: ".o_menu_sections .dropdown-toggle[data-menu-xmlid='crm_marketing.crm_marketing_menu']",
            run: "click",
        },
        {
            content: "Open the campaigns",
            trigger: ".dropdown-item[data-menu-xmlid='crm_marketing.crm_marketing_campaign_menu']",
            run: "click",
        },
        {
            content: "Plan a new campaign",
            trigger: ".o_control_panel_main_buttons .o_list_button_add, .o_control_panel_main_buttons .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name=title] input",
            run: "edit Tour: spring trade fair",
        },
        {
            content: "Give it a budget",
            trigger: ".o_form_view .o_field_widget[name=budget] input",
            run: "edit 4500",
        },
        {
            content: "Target the segment",
            trigger: ".o_form_view .o_field_widget[name=segment_id] input",
            run: "edit Tour: Hangzhou",
        },
        {
            content: "Pick the segment",
            trigger: ".o-autocomplete--dropdown-menu a:contains('Tour: Hangzhou prospects')",
            run: "click",
        },
        {
            content: "Open the plan",
            trigger: ".o_notebook .nav-link[name=plan]",
            run: "click",
        },
        {
            content: "Add a step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name the step",
            trigger: ".o_field_widget[name=step_ids] .o_selected_row .o_field_widget[name=name] input",
            run: "edit Spring invitation",
        },
        {
            content: "It is a mailing",
            trigger: ".o_field_widget[name=step_ids] .o_selected_row .o_field_widget[name=kind] select",
            run: "selectByLabel Mailing",
        },
        ...stepUtils.saveForm(),
        {
            content: "Prepare the step's mailing",
            trigger: ".o_field_widget[name=step_ids] .o_data_row button[name=action_prepare_mailing]",
            run: "click",
        },
        {
            content: "The mailing goes to the campaign's segment",
            trigger: ".o_form_view .o_field_widget[name=crm_segment_id] input:value('Tour: Hangzhou prospects')",
        },
        {
            content: "Pick the plain theme for the body",
            trigger: ":iframe #basic",
            run: "click",
        },
        {
            trigger: ":iframe html:not(:has(.o_mail_theme_selector_new))",
        },
        ...stepUtils.saveForm(),
        {
            content: "Send it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_launch]",
            run: "click",
        },
        {
            content: "Confirm the sending",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The mailing is queued for the segment",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('In Queue')",
        },
    ],
});

/**
 * The next day: the contact's salesperson finds the response of the click among their
 * campaign responses, the lead it became and the follow-up call planned for them.
 */
registry.category("web_tour.tours").add("crm_marketing_response_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the Sales menu",
            trigger: ".o_menu_sections .dropdown-toggle[data-menu-xmlid='crm.crm_menu_sales']",
            run: "click",
        },
        {
            content: "Open my campaign responses",
            trigger: ".dropdown-item[data-menu-xmlid='crm_marketing.crm_campaign_response_menu_my']",
            run: "click",
        },
        {
            content: "Switch to the list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Open the click",
            trigger: ".o_data_row:contains('Hangzhou Lighting'):contains('Tour: spring trade fair') td[name=kind]:contains('Click')",
            run: "click",
        },
        {
            content: "The response became a lead: open it",
            trigger: ".o_form_view .o_field_widget[name=lead_id] a.o_form_uri",
            run: "click",
        },
        {
            content: "The lead of the responder",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value('Hangzhou Lighting')",
        },
        {
            content: "The follow-up call is planned for the salesperson",
            trigger: ".o-mail-Chatter .o-mail-Activity:contains('Call the responder')",
        },
    ],
});
