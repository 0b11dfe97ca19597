import { registry } from "@web/core/registry";

// The call centre logs a complaint from a caller it recognises by their number and follows
// the case to its closure; the customer's rating is given afterwards (tests/test_tour.py).
registry.category("web_tour.tours").add("crm_service_tour", {
    steps: () => [
        {
            content: "The Service app is open on its cases",
            trigger: ".o_menu_brand:contains(Service)",
        },
        {
            content: "A call comes in: log it",
            trigger: ".o_menu_sections a:contains(Log a Call), .o_menu_sections button:contains(Log a Call)",
            run: "click",
        },
        {
            content: "Type the caller's number as they give it",
            trigger: ".modal .o_field_widget[name=phone] input",
            run: "edit 021-6888-1234",
        },
        {
            content: "Say what the call is about",
            trigger: ".modal .o_field_widget[name=subject] input",
            run: "edit The technician never came",
        },
        {
            content: "The caller is recognised by their number",
            trigger: ".modal .o_field_widget[name=partner_id] input:value(Tour Printing Company)",
        },
        {
            content: "Their history is there, so they need not repeat themselves",
            trigger: ".modal .o_notebook a:contains(Customer History)",
            run: "click",
        },
        {
            content: "The earlier case shows in the history",
            trigger: ".modal .o_crm_service_history:contains(Toner leaks)",
        },
        {
            content: "It is a complaint",
            trigger: ".modal .o_field_widget[name=type_id] input",
            run: "edit Complaint",
        },
        {
            content: "Pick the complaint type",
            trigger: ".o-autocomplete--dropdown-item:contains(Complaint)",
            run: "click",
        },
        {
            content: "Log the case",
            trigger: ".modal button[name=action_create_case]",
            run: "click",
        },
        {
            content: "The case has its acceptance number for the customer",
            trigger: ".o_form_view .o_field_widget[name=acceptance_number]:not(:empty)",
        },
        {
            content: "Start working on it",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "The case is in diagnosis",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Diagnosis)",
        },
        {
            content: "Write what was done",
            trigger: ".o_notebook a:contains(Resolution)",
            run: "click",
        },
        {
            content: "The resolution",
            trigger: ".o_field_widget[name=resolution] .odoo-editor-editable",
            run: "editor A technician came the next morning and apologised.",
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
