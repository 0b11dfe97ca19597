import { Component, useExternalListener, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { Mutex } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { useRecordObserver } from "@web/model/relational_model/utils";
import { FormViewDialog } from "@web/views/view_dialogs/form_view_dialog";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import {
    centerOf,
    diamondPoints,
    dragPosition,
    exceedsDragThreshold,
    freeSpot,
    layoutEdges,
    shapeOf,
    truncate,
    viewBoxOf,
} from "./diagram_geometry";

const PROCESS_MODEL = "crm.workflow.process";
const INSTANCE_MODEL = "crm.workflow.instance";

const ICONS = { human: "\uf007", auto: "\uf013" };

let diagramCount = 0;

// Dialog --------------------------------------------------------------------

/**
 * The form of an activity or transition, saved through the process's ``diagram_save``
 * rather than by writing the record: a process with running instances is versioned.
 */
export class DiagramFormDialog extends FormViewDialog {
    static props = {
        ...FormViewDialog.props,
        onSaveChanges: Function,
    };

    setup() {
        super.setup();
        this.viewProps.saveRecord = async (record) => {
            if (!(await record.checkValidity({ displayNotification: true }))) {
                return false;
            }
            // Only the fields the user changed, as the server expects them in a write.
            const changes = record._getChanges();
            if (Object.keys(changes).length) {
                await this.props.onSaveChanges(changes);
            }
            this.props.close();
            return true;
        };
    }
}

// Component -----------------------------------------------------------------

/**
 * A process as a diagram: edits it on the process form, shows where an instance stands
 * on the instance form (read-only).
 */
export class ProcessDiagram extends Component {
    static template = "crm_workflow.ProcessDiagram";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        this.svgRef = useRef("svg");
        this.markerId = `o_crm_workflow_diagram_arrow_${++diagramCount}`;
        this.markerUrl = `url(#${this.markerId})`;
        this.mutex = new Mutex();
        this.state = useState({
            data: { process: {}, activities: [], transitions: [] },
            selected: null,
            connect: false,
            connectFrom: null,
            link: null,
            dragging: false,
        });
        this.loadedKey = null;
        this.drag = null;
        this.suppressClick = false;
        useRecordObserver((record) => this.onRecordChange(record));
        useExternalListener(window, "pointermove", this.onPointerMove);
        useExternalListener(window, "pointerup", this.onPointerUp);
        useExternalListener(window, "pointercancel", this.onPointerCancel);
    }

    // Data ------------------------------------------------------------------

    get isMonitor() {
        return this.props.record.resModel === INSTANCE_MODEL;
    }

    get readonly() {
        return this.isMonitor || this.props.readonly;
    }

    /** The process a record shows: itself, or the version an instance runs on. */
    processIdOf(record) {
        if (record.resModel === INSTANCE_MODEL) {
            return record.data.process_id ? record.data.process_id[0] : false;
        }
        return record.resId || false;
    }

    recordKey(record) {
        return JSON.stringify([record.resModel, record.resId, record.data.write_date, this.processIdOf(record)]);
    }

    async onRecordChange(record) {
        // Reload when the record is saved or another one is shown (write_date moves on).
        const key = this.recordKey(record);
        if (key !== this.loadedKey) {
            this.loadedKey = key;
            await this.load(record);
        }
    }

    async load(record) {
        const processId = this.processIdOf(record);
        if (!processId) {
            this.state.data = { process: {}, activities: [], transitions: [] };
            return;
        }
        const instanceId = record.resModel === INSTANCE_MODEL ? record.resId : false;
        this.state.data = await this.orm.call(PROCESS_MODEL, "diagram_data", [[processId]], {
            instance_id: instanceId,
        });
        const { selected } = this.state;
        if (selected && !this.find(selected.type, selected.id)) {
            this.state.selected = null;
        }
    }

    find(type, id) {
        const records = type === "activity" ? this.state.data.activities : this.state.data.transitions;
        return records.find((record) => record.id === id);
    }

    /** Send ``changes`` to the server, in order; return the id of the version now holding them. */
    apply(changes) {
        return this.mutex.exec(async () => {
            const record = this.props.record;
            if (record.isNew || (await record.isDirty())) {
                // The diagram edits the saved process: save what the form holds first.
                if (!(await record.save())) {
                    return false;
                }
            }
            return this.orm.call(PROCESS_MODEL, "diagram_save", [[record.resId], changes]);
        });
    }

    /** Show the version that holds the change: this one reloaded, or the new one opened. */
    async show(processId) {
        if (!processId) {
            return;
        }
        const record = this.props.record;
        if (processId === record.resId) {
            await record.load();
            this.loadedKey = this.recordKey(record);
            return this.load(record);
        }
        const data = await this.orm.call(PROCESS_MODEL, "diagram_data", [[processId]]);
        this.notification.add(
            _t(
                "The process has running instances: they finish on the version they started on, new ones take version %s.",
                data.process.version
            ),
            { type: "info", title: _t("Saved as version %s", data.process.version) }
        );
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: PROCESS_MODEL,
            res_id: processId,
            views: [[false, "form"]],
        });
    }

    async save(changes) {
        let processId;
        try {
            processId = await this.apply(changes);
        } catch (error) {
            // Undo what the drawing already shows (a move, a deletion) before the error is shown.
            await this.load(this.props.record);
            throw error;
        }
        return this.show(processId);
    }

    // Rendering -------------------------------------------------------------

    get kinds() {
        return [
            { value: "start", label: _t("Start"), icon: "fa-circle-o" },
            { value: "human", label: _t("Human Task"), icon: "fa-user" },
            { value: "auto", label: _t("Automatic"), icon: "fa-cog" },
            { value: "gateway", label: _t("Gateway"), icon: "fa-code-fork" },
            { value: "end", label: _t("End"), icon: "fa-dot-circle-o" },
        ];
    }

    get legend() {
        return [
            { status: "open", label: _t("In progress") },
            { status: "error", label: _t("Error") },
            { status: "done", label: _t("Done") },
            { status: "none", label: _t("Not reached") },
        ];
    }

    get hint() {
        if (this.state.connect) {
            return this.state.connectFrom
                ? _t("Now click the activity the transition leads to.")
                : _t("Click the activity the transition leaves from.");
        }
        return "";
    }

    get emptyText() {
        return this.readonly
            ? _t("This process has no activity yet.")
            : _t(
                  "Add a start, tasks and an end with the buttons above, then drag from the dot of an activity to another to connect them."
              );
    }

    get nodes() {
        const statusLabels = Object.fromEntries(this.legend.map((item) => [item.status, item.label]));
        return this.state.data.activities.map((activity) => {
            const { width, height } = shapeOf(activity);
            const round = activity.kind === "start" || activity.kind === "end";
            const modes = [activity.join_mode, activity.split_mode].map((mode) => mode.toUpperCase());
            const titleParts = [activity.name];
            if (activity.kind === "human") {
                titleParts.push(_t("Performer: %s", activity.performer || _t("none")));
            }
            if (activity.deadline_hours) {
                titleParts.push(_t("Deadline: %s hours", activity.deadline_hours));
            }
            if (this.isMonitor) {
                titleParts.push(statusLabels[activity.status] || statusLabels.none);
            }
            return {
                ...activity,
                width,
                height,
                transform: `translate(${activity.x},${activity.y})`,
                classes: {
                    o_diagram_activity: true,
                    [`o_diagram_${activity.kind}`]: true,
                    [`o_status_${activity.status}`]: this.isMonitor,
                    o_selected: this.isSelected("activity", activity.id),
                    o_connect_from: this.state.connectFrom === activity.id,
                },
                title: titleParts.join("\n"),
                nameBelow: round || activity.kind === "gateway",
                shortName: truncate(activity.name, round || activity.kind === "gateway" ? 24 : 17),
                performerLabel: truncate(activity.performer || _t("No performer"), 20),
                deadlineLabel: activity.deadline_hours ? `${activity.deadline_hours}h` : "",
                modeLabel: modes[0] === modes[1] ? modes[1] : `${modes[0]}›${modes[1]}`,
                diamond: diamondPoints(width, height),
                icon: ICONS[activity.kind] || "",
                hasHandle: !this.readonly && activity.kind !== "end",
            };
        });
    }

    get edges() {
        const { activities, transitions } = this.state.data;
        return layoutEdges(activities, transitions).map(({ transition, source, target, geometry }) => {
            const title = [`${source.name} → ${target.name}`];
            if (transition.name) {
                title.push(transition.name);
            }
            if (transition.has_condition) {
                title.push(_t("Condition: %s", transition.condition));
            }
            return {
                ...transition,
                ...geometry,
                title: title.join("\n"),
                shortName: truncate(transition.name, 24),
                markerTransform: `translate(${geometry.start.x},${geometry.start.y}) rotate(${geometry.angle})`,
                selected: this.isSelected("transition", transition.id),
            };
        });
    }

    get rubberBand() {
        const link = this.state.link;
        const source = link && this.find("activity", link.sourceId);
        if (!source) {
            return null;
        }
        const center = centerOf(source);
        return { x1: center.x, y1: center.y, x2: link.x, y2: link.y };
    }

    get viewBox() {
        if (this.state.dragging && this.frozenViewBox) {
            return this.frozenViewBox;
        }
        return viewBoxOf(this.state.data.activities);
    }

    isSelected(type, id) {
        const selected = this.state.selected;
        return Boolean(selected && selected.type === type && selected.id === id);
    }

    // Editing ---------------------------------------------------------------

    addActivity(kind) {
        const { x, y } = freeSpot(this.state.data.activities, kind);
        return this.save({ create_activities: [{ kind, x, y }] });
    }

    connect(sourceId, targetId) {
        if (!sourceId || !targetId || sourceId === targetId) {
            return;
        }
        return this.save({ create_transitions: [{ source_id: sourceId, target_id: targetId }] });
    }

    toggleConnect() {
        this.state.connect = !this.state.connect;
        this.state.connectFrom = null;
    }

    deleteSelected() {
        const selected = this.state.selected;
        if (!selected) {
            return;
        }
        this.state.selected = null;
        const key = selected.type === "activity" ? "delete_activities" : "delete_transitions";
        return this.save({ [key]: [selected.id] });
    }

    openForm(type, id) {
        const isActivity = type === "activity";
        let savedId = false;
        const store = async (changes) => {
            savedId = await this.apply(changes);
        };
        this.dialog.add(
            DiagramFormDialog,
            {
                resModel: isActivity ? "crm.workflow.activity" : "crm.workflow.transition",
                resId: id,
                title: isActivity ? _t("Activity") : _t("Transition"),
                preventCreate: true,
                onSaveChanges: (values) =>
                    store({ [isActivity ? "update_activities" : "update_transitions"]: [[id, values]] }),
                removeRecord: () => store({ [isActivity ? "delete_activities" : "delete_transitions"]: [id] }),
            },
            { onClose: () => this.show(savedId) }
        );
    }

    // Pointer -----------------------------------------------------------------

    toSvgPoint(ev) {
        const svg = this.svgRef.el;
        const matrix = svg && svg.getScreenCTM();
        if (!matrix) {
            return { x: 0, y: 0 };
        }
        const point = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(matrix.inverse());
        return { x: point.x, y: point.y };
    }

    onActivityPointerDown(ev, node) {
        this.suppressClick = false;
        if (this.readonly || ev.button !== 0 || this.state.connect) {
            return;
        }
        const point = this.toSvgPoint(ev);
        this.drag = { id: node.id, start: point, x: node.x, y: node.y, moved: false };
    }

    onHandlePointerDown(ev, node) {
        if (this.readonly || ev.button !== 0) {
            return;
        }
        ev.preventDefault();
        // The click that ends a link on the handle itself must not open the form.
        this.suppressClick = true;
        this.state.link = { sourceId: node.id, ...this.toSvgPoint(ev) };
    }

    onPointerMove(ev) {
        if (this.state.link) {
            Object.assign(this.state.link, this.toSvgPoint(ev));
            return;
        }
        const drag = this.drag;
        if (!drag) {
            return;
        }
        const point = this.toSvgPoint(ev);
        if (!drag.moved && !exceedsDragThreshold(drag.start, point)) {
            return;
        }
        if (!drag.moved) {
            drag.moved = true;
            this.frozenViewBox = this.viewBox;
            this.state.dragging = true;
        }
        const activity = this.find("activity", drag.id);
        if (activity) {
            Object.assign(activity, dragPosition(drag, drag.start, point));
        }
    }

    onPointerUp(ev) {
        const link = this.state.link;
        if (link) {
            this.state.link = null;
            const targetId = this.activityIdAt(ev);
            if (targetId && targetId !== link.sourceId) {
                return this.connect(link.sourceId, targetId);
            }
            return;
        }
        const drag = this.drag;
        this.drag = null;
        if (!drag || !drag.moved) {
            return;
        }
        this.suppressClick = true;
        this.state.dragging = false;
        const activity = this.find("activity", drag.id);
        if (activity && (activity.x !== drag.x || activity.y !== drag.y)) {
            return this.save({ move: [[activity.id, activity.x, activity.y]] });
        }
    }

    onPointerCancel() {
        this.state.link = null;
        if (this.drag && this.drag.moved) {
            const activity = this.find("activity", this.drag.id);
            Object.assign(activity || {}, { x: this.drag.x, y: this.drag.y });
        }
        this.drag = null;
        this.state.dragging = false;
    }

    /** The activity under the pointer when it is released (touch keeps the target it started on). */
    activityIdAt(ev) {
        const svg = this.svgRef.el;
        const elements = [ev.target, document.elementFromPoint(ev.clientX, ev.clientY)];
        for (const element of elements) {
            const node = element && element.closest && element.closest("[data-activity-id]");
            if (node && svg && svg.contains(node)) {
                const id = parseInt(node.dataset.activityId);
                if (id !== this.state.link?.sourceId) {
                    return id;
                }
            }
        }
        return false;
    }

    onActivityKeydown(ev, node) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            this.onActivityClick(node);
        }
    }

    onActivityClick(node) {
        if (this.suppressClick) {
            this.suppressClick = false;
            return;
        }
        if (this.readonly) {
            return;
        }
        if (this.state.connect) {
            if (!this.state.connectFrom) {
                this.state.connectFrom = node.id;
                return;
            }
            const sourceId = this.state.connectFrom;
            this.state.connectFrom = null;
            return this.connect(sourceId, node.id);
        }
        this.state.selected = { type: "activity", id: node.id };
        this.openForm("activity", node.id);
    }

    onTransitionClick(edge) {
        if (this.readonly || this.state.connect) {
            return;
        }
        this.state.selected = { type: "transition", id: edge.id };
        this.openForm("transition", edge.id);
    }

    onBackgroundClick(ev) {
        if (!ev.target.closest("[data-activity-id], [data-transition-id]")) {
            this.state.selected = null;
        }
    }
}

export const processDiagram = {
    component: ProcessDiagram,
    // write_date tells the widget that the record was saved and its diagram may have changed.
    fieldDependencies: [{ name: "write_date", type: "datetime" }],
};

registry.category("view_widgets").add("crm_workflow_diagram", processDiagram);
