import { registry } from "@web/core/registry";

const DIAGRAM = ".o_form_view .o_crm_workflow_diagram";

function activity(kind) {
    return `${DIAGRAM} .o_diagram_activity[data-kind=${kind}]`;
}

/**
 * A workflow manager draws start -> human task -> end in the diagram of a new process,
 * names the task and its performer in the dialog and activates the process.
 */
registry.category("web_tour.tours").add("crm_workflow_diagram_tour", {
    url: "/odoo/action-crm_workflow.crm_workflow_process_action",
    steps: () => [
        {
            content: "Design a new process",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Diagram Tour Process",
        },
        {
            content: "It runs on customer events",
            trigger: ".o_form_view .o_field_widget[name=model_id] input",
            run: "edit Customer Event",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(/^Customer Event$/)",
            run: "click",
        },
        {
            content: "Add a start (saves the process)",
            trigger: `${DIAGRAM} .o_diagram_add[data-kind=start]`,
            run: "click",
        },
        {
            trigger: activity("start"),
        },
        {
            content: "Add a human task",
            trigger: `${DIAGRAM} .o_diagram_add[data-kind=human]`,
            run: "click",
        },
        {
            trigger: activity("human"),
        },
        {
            content: "Add an end",
            trigger: `${DIAGRAM} .o_diagram_add[data-kind=end]`,
            run: "click",
        },
        {
            trigger: activity("end"),
        },
        {
            content: "Connect the start to the task: drag from the start's handle onto the task",
            trigger: `${activity("start")} .o_diagram_handle`,
            run: `drag_and_drop ${activity("human")}`,
        },
        {
            trigger: `${DIAGRAM} .o_diagram_svg[data-transition-count="1"]`,
        },
        {
            content: "Connect the task to the end",
            trigger: `${activity("human")} .o_diagram_handle`,
            run: `drag_and_drop ${activity("end")}`,
        },
        {
            trigger: `${DIAGRAM} .o_diagram_svg[data-transition-count="2"]`,
        },
        {
            content: "Open the task",
            trigger: activity("human"),
            run: "click",
        },
        {
            content: "Name the task",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Check the complaint",
        },
        {
            content: "Choose who performs it",
            trigger: ".modal .o_field_widget[name=performer_user_id] input",
            run: "edit Diagram Tour Performer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Diagram Tour Performer)",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The task shows its name and performer",
            trigger: `${activity("human")}:contains(Check the complaint):contains(Diagram Tour Performer)`,
        },
        {
            content: "Activate the process",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_activate]",
            run: "click",
        },
        {
            content: "The process is active",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Active)",
        },
    ],
});

/**
 * The instance form shows the same diagram, read-only, with the task in progress.
 */
registry.category("web_tour.tours").add("crm_workflow_diagram_monitor_tour", {
    steps: () => [
        {
            content: "The diagram of the instance is read-only",
            trigger: `${DIAGRAM}.o_diagram_monitor:not(:has(.o_diagram_toolbar))`,
        },
        {
            content: "The start is done",
            trigger: `${activity("start")}.o_status_done`,
        },
        {
            content: "The instance waits at the human task",
            trigger: `${activity("human")}.o_status_open:contains(Check the complaint)`,
        },
        {
            content: "The end is not reached yet",
            trigger: `${activity("end")}.o_status_none`,
        },
        {
            content: "A legend explains the colours",
            trigger: `${DIAGRAM} .o_diagram_legend`,
        },
    ],
});
