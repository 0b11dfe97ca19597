import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_service_tour", {
    steps: () => [
        {
            content: "The Service app is open on its cases",
            trigger: ".o_menu_brand:contains(Service)",
        },
        {
            content: "Open a new case",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Describe the request",
            trigger: ".o_field_widget[name=subject] input",
            run: "edit Printer does not start",
        },
        {
            content: "Look the customer up",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Printing",
        },
        {
            content: "Pick the customer",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Printing Company)",
            run: "click",
        },
        {
            content: "Start working on the case (saves it)",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "The case is in progress",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Diagnosis)",
        },
        {
            content: "Solve the case",
            trigger: ".o_form_view button[name=action_solve]",
            run: "click",
        },
        {
            content: "The case is solved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Solved)",
        },
    ],
});
