import { Component, onMounted, onWillStart, onWillUnmount, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { getColor } from "@web/core/colors/colors";

/**
 * The marketing dashboard: KPI cards of the last twelve complete months, the revenue
 * trend with its forecast, the composition by customer class, industry and region,
 * channel and campaign performance, and the segments whose revenue rose or fell most.
 * Everything comes from one call, crm.marketing.analysis.get_dashboard_data(), which
 * reads with the user's rights and companies.
 */
export class CrmMarketingDashboard extends Component {
    static template = "crm_marketing.Dashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.canvases = {
            trend: useRef("trend"),
            classes: useRef("classes"),
            channels: useRef("channels"),
            campaigns: useRef("campaigns"),
        };
        this.charts = [];
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            this.data = await this.orm.call("crm.marketing.analysis", "get_dashboard_data", []);
        });
        onMounted(() => this.renderCharts());
        onWillUnmount(() => this.charts.forEach((chart) => chart.destroy()));
    }

    get kpis() {
        const kpis = this.data.kpis;
        return [
            { name: "revenue", label: _t("Revenue, last 12 months"), value: this.money(kpis.revenue) },
            {
                name: "growth",
                label: _t("Growth on the 12 months before"),
                value: kpis.growth === null ? "-" : `${formatFloat(kpis.growth, { digits: [16, 1] })} %`,
            },
            { name: "customers", label: _t("Customers"), value: String(kpis.customers) },
            { name: "new_customers", label: _t("New customers"), value: String(kpis.new_customers) },
            { name: "basket", label: _t("Average basket"), value: this.money(kpis.basket) },
            { name: "campaign_cost", label: _t("Campaign cost"), value: this.money(kpis.campaign_cost) },
            { name: "campaign_revenue", label: _t("Campaign revenue"), value: this.money(kpis.campaign_revenue) },
        ];
    }

    money(value) {
        return formatMonetary(value || 0, { currencyId: this.data.currency_id });
    }

    openAnalysis() {
        this.action.doAction("crm_marketing.crm_marketing_analysis_action");
    }

    openForecast() {
        this.action.doAction("crm_marketing.crm_marketing_forecast_action");
    }

    renderCharts() {
        const { trend, classes, channels, campaigns } = this.data;
        const money = { callback: (value) => this.money(value) };
        this.chart("trend", {
            type: "line",
            data: {
                labels: trend.labels,
                datasets: [
                    { label: _t("Actual"), data: trend.actual, borderColor: getColor(1), backgroundColor: getColor(1) },
                    {
                        label: _t("Forecast"),
                        data: trend.forecast,
                        borderColor: getColor(2),
                        backgroundColor: getColor(2),
                        borderDash: [6, 4],
                    },
                ],
            },
            options: { scales: { y: { ticks: money } } },
        });
        this.chart("classes", {
            type: "doughnut",
            data: {
                labels: classes.map((row) => row.label),
                datasets: [
                    {
                        data: classes.map((row) => row.amount),
                        backgroundColor: classes.map((row, index) => getColor(index + 1)),
                    },
                ],
            },
        });
        this.chart("channels", {
            type: "bar",
            data: {
                labels: channels.map((row) => row.label || _t("No medium")),
                datasets: [
                    { label: _t("Revenue"), data: channels.map((row) => row.amount), backgroundColor: getColor(3) },
                ],
            },
            options: { scales: { y: { ticks: money } } },
        });
        this.chart("campaigns", {
            type: "bar",
            data: {
                labels: campaigns.map((row) => row.label),
                datasets: [
                    { label: _t("Cost"), data: campaigns.map((row) => row.cost), backgroundColor: getColor(4) },
                    { label: _t("Revenue"), data: campaigns.map((row) => row.revenue), backgroundColor: getColor(1) },
                ],
            },
            options: { scales: { y: { ticks: money } } },
        });
    }

    chart(name, config) {
        const canvas = this.canvases[name].el;
        if (canvas) {
            config.options = { maintainAspectRatio: false, responsive: true, ...config.options };
            this.charts.push(new Chart(canvas, config));
        }
    }
}

registry.category("actions").add("crm_marketing.dashboard", CrmMarketingDashboard);
