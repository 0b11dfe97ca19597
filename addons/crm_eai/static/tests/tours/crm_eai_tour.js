import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_eai_tour", {
    steps: () => [
        {
            content: "The external systems are listed under Settings",
            trigger: ".o_menu_brand:contains(Settings)",
        },
        {
            content: "Connect a new external system",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour PDM",
        },
        {
            content: "It is a PDM",
            trigger: ".o_field_widget[name=system_type] select",
            run: 'select "pdm"',
        },
        {
            content: "Give its WSDL address",
            trigger: ".o_field_widget[name=url] input",
            run: "edit https://pdm.example.com/service?wsdl",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "The system is saved",
            trigger: ".o_form_saved",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button:contains(External Systems)",
            run: "click",
        },
        {
            content: "The new system is listed",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Tour PDM)",
        },
    ],
});
