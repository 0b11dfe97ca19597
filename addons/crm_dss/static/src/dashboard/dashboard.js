import { Component, onWillStart, onMounted, onWillUnmount, onPatched, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { serializeDate } from "@web/core/l10n/dates";
import { formatFloat, formatInteger } from "@web/views/fields/formatters";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const { DateTime } = luxon;

/** Which model and method answer a board, and with which leading arguments. */
export function boardCall(board, { companyIds, departmentId, dateFrom, dateTo }) {
    if (board === "executive") {
        return ["crm.dss.dashboard", "get_executive_dashboard", [companyIds, dateFrom, dateTo]];
    }
    if (board === "analysis") {
        return ["crm.dss.analysis", "get_analysis", [companyIds, dateFrom, dateTo]];
    }
    return [
        "crm.dss.dashboard",
        "get_department_dashboard",
        [board, companyIds, departmentId || null, dateFrom, dateTo],
    ];
}

/** ``[date_from, date_to]`` (ISO) of a named period, ``today`` a luxon DateTime. */
export function periodDates(period, today = DateTime.local()) {
    const ranges = {
        this_month: [today.startOf("month"), today.endOf("month")],
        last_month: [today.minus({ months: 1 }).startOf("month"), today.minus({ months: 1 }).endOf("month")],
        this_quarter: [today.startOf("quarter"), today.endOf("quarter")],
        this_year: [today.startOf("year"), today.endOf("year")],
    };
    const [start, end] = ranges[period] || ranges.this_month;
    return [serializeDate(start), serializeDate(end)];
}

export function formatValue(value, format, currency) {
    if (value === null || value === undefined || value === false) {
        return "";
    }
    switch (format) {
        case "integer":
            return formatInteger(value);
        case "percent":
            return `${formatFloat(value, { digits: [false, 1] })} %`;
        case "float":
            return formatFloat(value, { digits: [false, 2] });
        case "monetary": {
            const amount = formatFloat(value, { digits: [false, currency?.digits ?? 2] });
            if (!currency?.symbol) {
                return amount;
            }
            return currency.position === "after" ? `${amount} ${currency.symbol}` : `${currency.symbol} ${amount}`;
        }
        default:
            return String(value);
    }
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export class DssChart extends Component {
    static template = "crm_dss.DssChart";
    static props = { chart: Object, currency: { type: Object, optional: true }, onDrill: Function };

    setup() {
        this.canvas = useRef("canvas");
        this.chart = null;
        onMounted(() => this.render());
        onPatched(() => this.render());
        onWillUnmount(() => this.chart?.destroy());
    }

    render() {
        this.chart?.destroy();
        const spec = this.props.chart;
        const round = ["pie", "doughnut"].includes(spec.type);
        const datasets = spec.datasets.map((dataset, index) => ({
            ...dataset,
            backgroundColor: round ? spec.labels.map((_l, i) => PALETTE[i % PALETTE.length]) : PALETTE[index % PALETTE.length],
            borderColor: round ? "#fff" : PALETTE[index % PALETTE.length],
            fill: false,
        }));
        this.chart = new Chart(this.canvas.el, {
            type: spec.type,
            data: { labels: spec.labels, datasets },
            options: {
                responsive: true,
                maintainAspectRatio: false,
                animation: false,
                plugins: { legend: { display: datasets.length > 1 || round } },
                onClick: (_event, elements) => {
                    const index = elements[0]?.index;
                    const action = index !== undefined && (spec.actions || [])[index];
                    if (action) {
                        this.props.onDrill(action);
                    }
                },
                onHover: (event, elements) => {
                    const index = elements[0]?.index;
                    event.native.target.style.cursor =
                        index !== undefined && (spec.actions || [])[index] ? "pointer" : "default";
                },
            },
        });
    }
}

export class DssDashboard extends Component {
    static template = "crm_dss.DssDashboard";
    static components = { DssChart };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.companyService = useService("company");
        const params = this.props.action?.params || {};
        this.board = params.board || "executive";
        const [dateFrom, dateTo] = periodDates("this_month");
        this.companies = Object.values(this.companyService.allowedCompanies).map((c) => ({ id: c.id, name: c.name }));
        this.state = useState({
            period: "this_month",
            dateFrom,
            dateTo,
            companyIds: this.companyService.activeCompanyIds,
            departmentId: params.department_id || false,
            departments: [],
            data: null,
            loading: true,
            error: null,
        });
        this.periods = [
            ["this_month", _t("This Month")],
            ["last_month", _t("Last Month")],
            ["this_quarter", _t("This Quarter")],
            ["this_year", _t("This Year")],
            ["custom", _t("Custom")],
        ];
        onWillStart(async () => {
            const loads = [loadBundle("web.chartjs_lib"), this.load()];
            if (this.isDepartmentBoard) {
                loads.push(this.loadDepartments());
            }
            await Promise.all(loads);
        });
    }

    get isDepartmentBoard() {
        return !["executive", "analysis"].includes(this.board);
    }

    get currency() {
        return this.state.data?.currency;
    }

    async loadDepartments() {
        this.state.departments = await this.orm.searchRead(
            "hr.department",
            [["company_id", "in", [...this.state.companyIds, false]]],
            ["display_name"],
            { order: "complete_name" }
        );
    }

    async load() {
        this.state.loading = true;
        const [model, method, args] = boardCall(this.board, this.state);
        try {
            this.state.data = await this.orm.call(model, method, args);
            this.state.error = null;
        } catch (error) {
            this.state.error = error.data?.message || error.message || String(error);
            this.state.data = null;
        } finally {
            this.state.loading = false;
        }
    }

    format(value, format) {
        return formatValue(value, format, this.currency);
    }

    onPeriodChange(ev) {
        this.state.period = ev.target.value;
        if (this.state.period !== "custom") {
            [this.state.dateFrom, this.state.dateTo] = periodDates(this.state.period);
            this.load();
        }
    }

    onDateChange(field, ev) {
        this.state[field] = ev.target.value;
        if (this.state.dateFrom && this.state.dateTo) {
            this.load();
        }
    }

    onCompanyToggle(companyId, ev) {
        const ids = new Set(this.state.companyIds);
        if (ev.target.checked) {
            ids.add(companyId);
        } else if (ids.size > 1) {
            ids.delete(companyId);
        } else {
            ev.target.checked = true;
            return;
        }
        this.state.companyIds = [...ids];
        this.load();
    }

    onDepartmentChange(ev) {
        this.state.departmentId = parseInt(ev.target.value) || false;
        this.load();
    }

    drill(drill) {
        if (!drill) {
            return;
        }
        this.action.doAction({
            type: "ir.actions.act_window",
            name: drill.name,
            res_model: drill.res_model,
            domain: drill.domain,
            views: drill.views || [
                [false, "list"],
                [false, "form"],
            ],
            context: drill.context || {},
            target: "current",
        });
    }

    async onExport() {
        const data = {
            board: this.board,
            company_ids: this.state.companyIds,
            department_id: this.state.departmentId || false,
            date_from: this.state.dateFrom,
            date_to: this.state.dateTo,
        };
        try {
            const action = await this.action.loadAction("crm_dss.crm_dss_dashboard_xlsx_action");
            await this.action.doAction({ ...action, data, context: { ...(action.context || {}) } });
        } catch (error) {
            this.notification.add(error.data?.message || _t("The XLSX export is not available."), {
                type: "danger",
            });
        }
    }
}

registry.category("actions").add("crm_dss.dashboard", DssDashboard);
