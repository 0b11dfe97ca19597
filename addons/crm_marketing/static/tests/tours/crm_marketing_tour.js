import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A marketer plans a campaign with a budget in CRM > Marketing > Campaigns and launches it.
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
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
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
            content: "Launch it (saves the campaign)",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "The campaign is running",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Running')",
        },
    ],
});
