from collections import Counter, defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import formatLang

from ..lib import simulation

# Rows read per query from the history: memory stays flat whatever the history.
HISTORY_BATCH = 5000
SIMULATED_KINDS = ("human", "auto", "gateway")


class CrmWorkflowSimulation(models.TransientModel):
    """What if: simulate a process with more performers on a step, a step removed or
    a new deadline, from the durations and arrivals recorded for it, and show the
    estimated cycle time and throughput beside today's.

    The simulation itself is :mod:`..lib.simulation`; this wizard reads the history
    of every version of the process, hands it over as plain data and shows the result.
    """

    _name = "crm.workflow.simulation"
    _description = "What-if Simulation"

    process_id = fields.Many2one(
        "crm.workflow.process",
        required=True,
        ondelete="cascade",
        domain=[("state", "=", "active")],
    )
    period_days = fields.Integer(string="History (days)", required=True, default=90)
    arrival_per_day = fields.Float(
        string="Arrivals per Day",
        digits=(16, 2),
        help="Instances started per day over the history; without history, type how many you expect.",
    )
    history_count = fields.Integer(string="Instances in History")
    instance_count = fields.Integer(string="Simulated Instances", required=True, default=2000)
    seed = fields.Integer(default=1, help="The same seed gives the same figures; change it to see the spread.")
    line_ids = fields.One2many("crm.workflow.simulation.line", "simulation_id", string="Steps")
    state = fields.Selection([("draft", "To Run"), ("done", "Simulated")], required=True, default="draft")
    recorded_cycle_avg = fields.Float(string="Recorded Cycle Time (h)", digits=(16, 2))
    recorded_cycle_p90 = fields.Float(string="Recorded P90 Cycle Time (h)", digits=(16, 2))
    recorded_throughput = fields.Float(string="Recorded Done per Day", digits=(16, 2))
    recorded_overdue_share = fields.Float()
    baseline_cycle_avg = fields.Float(string="Cycle Time Today (h)", digits=(16, 2))
    baseline_cycle_p90 = fields.Float(string="P90 Cycle Time Today (h)", digits=(16, 2))
    baseline_throughput = fields.Float(string="Done per Day Today", digits=(16, 2))
    baseline_overdue_share = fields.Float(string="Overdue Share Today")
    scenario_cycle_avg = fields.Float(string="Scenario Cycle Time (h)", digits=(16, 2))
    scenario_cycle_p90 = fields.Float(string="Scenario P90 Cycle Time (h)", digits=(16, 2))
    scenario_throughput = fields.Float(string="Scenario Done per Day", digits=(16, 2))
    scenario_overdue_share = fields.Float()
    has_deadlines = fields.Boolean()
    warning = fields.Text(readonly=True)
    result_html = fields.Html(string="Comparison", compute="_compute_result_html", sanitize=False)

    @api.depends(
        "state",
        "has_deadlines",
        "recorded_cycle_avg",
        "recorded_cycle_p90",
        "recorded_throughput",
        "recorded_overdue_share",
        "baseline_cycle_avg",
        "baseline_cycle_p90",
        "baseline_throughput",
        "baseline_overdue_share",
        "scenario_cycle_avg",
        "scenario_cycle_p90",
        "scenario_throughput",
        "scenario_overdue_share",
    )
    def _compute_result_html(self):
        for wizard in self:
            wizard.result_html = wizard._render_comparison() if wizard.state == "done" else False

    @api.constrains("period_days", "instance_count", "arrival_per_day")
    def _check_settings(self):
        for wizard in self:
            if wizard.period_days < 1:
                raise ValidationError(self.env._("Read at least one day of history."))
            if not 100 <= wizard.instance_count <= 100000:
                raise ValidationError(self.env._("Simulate between 100 and 100,000 instances."))
            if wizard.arrival_per_day < 0:
                raise ValidationError(self.env._("The arrivals per day cannot be negative."))

    @api.onchange("process_id", "period_days")
    def _onchange_process_id(self):
        if not self.process_id or self.period_days < 1:
            self.line_ids = [Command.clear()]
            return
        self.update(self._history_values(self._history()))

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards.filtered(lambda wizard: not wizard.line_ids):
            values = wizard._history_values(wizard._history())
            if wizard.arrival_per_day and not values["history_count"]:
                del values["arrival_per_day"]
            wizard.write(values)
        return wizards

    # History ---------------------------------------------------------------------

    def _history(self):
        """What every version of the process did over the period, as plain data keyed
        by the ids of this version's activities and transitions."""
        self.ensure_one()
        process = self.process_id
        now = fields.Datetime.now()
        date_from = now - timedelta(days=max(self.period_days, 1))
        versions = self.env["crm.workflow.process"].search([("code", "=", process.code)])
        activity_map = self._activity_map(versions)
        transition_map = {
            (transition.source_id.id, transition.target_id.id): transition.id for transition in process.transition_ids
        }
        # Managers see the work items and instances of their department only, but a
        # process runs across departments, and the process monitor shows its figures
        # to them for their companies: read the runs of those companies as superuser,
        # as durations and counts, never handing a record over.
        companies = self.env.companies.ids
        Workitem = self.env["crm.workflow.workitem"].sudo()
        Instance = self.env["crm.workflow.instance"].sudo()
        items = self._read_in_batches(
            Workitem,
            [("process_id", "in", versions.ids), ("company_id", "in", companies), ("date_offered", ">=", date_from)],
            [
                "activity_id",
                "previous_id",
                "state",
                "user_id",
                "processing_hours",
                "date_offered",
                "date_done",
                "deadline",
            ],
        )
        item_activity = {item["id"]: item["activity_id"] for item in items}
        missing = {item["previous_id"] for item in items if item["previous_id"]} - item_activity.keys()
        if missing:
            item_activity.update(
                (row["id"], row["activity_id"]) for row in Workitem.browse(missing).read(["activity_id"], load=None)
            )

        durations, users, branches = defaultdict(list), defaultdict(set), Counter()
        deadline_steps = overdue_steps = 0
        kinds = {activity.id: activity.kind for activity in process.activity_ids}
        for item in items:
            activity_id = activity_map.get(item["activity_id"])
            if item["previous_id"] and activity_id:
                source_id = activity_map.get(item_activity.get(item["previous_id"]))
                transition_id = transition_map.get((source_id, activity_id))
                if transition_id:
                    branches[transition_id] += 1
            if item["state"] != "done" or not activity_id:
                continue
            if kinds[activity_id] == "human":
                durations[activity_id].append(item["processing_hours"] or 0.0)
                if item["user_id"]:
                    users[activity_id].add(item["user_id"])
            elif kinds[activity_id] in SIMULATED_KINDS:
                hours = (item["date_done"] - item["date_offered"]).total_seconds() / 3600.0
                durations[activity_id].append(max(hours, 0.0))
            if item["deadline"] and item["date_done"]:
                deadline_steps += 1
                overdue_steps += item["date_done"] > item["deadline"]

        instance_domain = [("process_code", "=", process.code), ("company_id", "in", companies)]
        [(arrivals, first_start)] = Instance._read_group(
            [*instance_domain, ("date_start", ">=", date_from)], [], ["__count", "date_start:min"]
        )
        done = self._read_in_batches(
            Instance, [*instance_domain, ("state", "=", "done"), ("date_end", ">=", date_from)], ["cycle_hours"]
        )
        # Arrivals are counted from the first start in the period, not from the start
        # of the period, so that a process activated last week is not seen as slow.
        span_hours = max((now - max(first_start or date_from, date_from)).total_seconds() / 3600.0, 1.0)
        cycles = [row["cycle_hours"] for row in done]
        return {
            "arrivals": arrivals,
            "arrival_per_day": arrivals / span_hours * 24.0,
            "durations": durations,
            "performers": {activity_id: len(found) for activity_id, found in users.items()},
            "branches": branches,
            "cycle_avg": sum(cycles) / len(cycles) if cycles else 0.0,
            "cycle_p90": simulation.percentile(cycles, 0.9),
            "throughput_per_day": len(done) / span_hours * 24.0,
            "overdue_share": overdue_steps / deadline_steps if deadline_steps else 0.0,
        }

    def _activity_map(self, versions):
        """Map the activities of every version onto this version's: by kind and name,
        the n-th of a kind and name onto the n-th, as versions are copies."""
        rows = self.env["crm.workflow.activity"].search_read(
            [("process_id", "in", versions.ids)], ["process_id", "name", "kind"], order="process_id, sequence, id"
        )
        keys, seen = {}, Counter()
        for row in rows:
            key = (row["process_id"][0], row["kind"], row["name"])
            seen[key] += 1
            keys[row["id"]] = (*key[1:], seen[key])
        current = {keys[activity.id]: activity.id for activity in self.process_id.activity_ids}
        return {activity_id: current.get(key) for activity_id, key in keys.items() if key in current}

    @api.model
    def _read_in_batches(self, model, domain, field_names):
        """search_read in pages of ids, many2one fields as plain ids."""
        rows, last_id = [], 0
        while True:
            batch = model.search_read(
                [*domain, ("id", ">", last_id)], field_names, order="id", limit=HISTORY_BATCH, load=None
            )
            rows.extend(batch)
            if len(batch) < HISTORY_BATCH:
                return rows
            last_id = batch[-1]["id"]

    def _history_values(self, history):
        """The wizard's values for a history: one line per step of the process."""
        self.ensure_one()
        lines = []
        for activity in self.process_id.activity_ids.filtered(lambda activity: activity.kind in SIMULATED_KINDS):
            durations = history["durations"].get(activity.id, [])
            performers = max(history["performers"].get(activity.id, 0), 1) if activity.kind == "human" else 0
            lines.append(
                {
                    "activity_id": activity.id,
                    "sequence": activity.sequence,
                    "done_count": len(durations),
                    "avg_hours": sum(durations) / len(durations) if durations else 0.0,
                    "current_performers": performers,
                    "performers": performers,
                    "deadline_hours": activity.deadline_hours,
                    "scenario_deadline_hours": activity.deadline_hours,
                }
            )
        return {
            "line_ids": [Command.clear()] + [Command.create(values) for values in lines],
            "arrival_per_day": history["arrival_per_day"],
            "history_count": history["arrivals"],
            "state": "draft",
        }

    # Running -------------------------------------------------------------------------

    def action_run(self):
        self.ensure_one()
        history = self._history()
        if self.arrival_per_day <= 0 or not (
            any(history["durations"].values()) or any(self.line_ids.mapped("avg_hours"))
        ):
            raise UserError(
                self.env._(
                    "%(process)s has no history in the last %(days)s days to simulate from. Run the process for "
                    "a while first, or enter the arrivals per day and an average duration per step, then run again.",
                    process=self.process_id.display_name,
                    days=self.period_days,
                )
            )
        try:
            baseline, changed = simulation.compare(
                self._process_model(history),
                self._scenario(),
                self.arrival_per_day / 24.0,
                instances=self.instance_count,
                seed=self.seed,
            )
        except ValueError as error:
            raise UserError(
                self.env._("The simulation cannot run: %s Correct the steps, then run again.", error)
            ) from error
        self._write_results(history, baseline, changed)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("What-if Simulation"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }

    def _process_model(self, history):
        """This version of the process as plain data, with today's performers."""
        self.ensure_one()
        lines = {line.activity_id.id: line for line in self.line_ids}
        activities = {}
        for activity in self.process_id.activity_ids:
            line = lines.get(activity.id)
            values = {
                "kind": activity.kind,
                "name": activity.name,
                "split_mode": activity.split_mode,
                "join_mode": activity.join_mode,
                "deadline_hours": line.deadline_hours if line else activity.deadline_hours,
            }
            if activity.kind == "human":
                values["performers"] = max(line.current_performers, 1) if line else 1
            if history["durations"].get(activity.id):
                values["durations"] = history["durations"][activity.id]
            elif line:
                values["mean_hours"] = line.avg_hours
            activities[activity.id] = values
        transitions = [(t.id, t.source_id.id, t.target_id.id) for t in self.process_id.transition_ids]
        return simulation.ProcessModel(activities, transitions, history["branches"])

    def _scenario(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.activity_id.process_id == self.process_id)
        return simulation.Scenario(
            performers={
                line.activity_id.id: line.performers for line in lines if line.kind == "human" and not line.removed
            },
            removed=frozenset(lines.filtered("removed").activity_id.ids),
            deadlines={
                line.activity_id.id: line.scenario_deadline_hours
                for line in lines
                if line.scenario_deadline_hours != line.deadline_hours
            },
        )

    def _write_results(self, history, baseline, changed):
        self.ensure_one()
        names = {line.activity_id.id: line.activity_id.name for line in self.line_ids}
        warnings = []
        saturated = sorted({names.get(key, str(key)) for key in baseline.saturated + changed.saturated})
        if saturated:
            warnings.append(
                self.env._(
                    "The performers of %s are busy all the time: work piles up there with every instance, and "
                    "the figures grow with the number simulated. Add performers to those steps.",
                    ", ".join(saturated),
                )
            )
        if baseline.stuck or changed.stuck:
            warnings.append(
                self.env._(
                    "Some simulated instances never end: an AND join waits for a path an XOR split did not take. "
                    "Check the joins of the process."
                )
            )
        self.write(
            {
                "state": "done",
                "recorded_cycle_avg": history["cycle_avg"],
                "recorded_cycle_p90": history["cycle_p90"],
                "recorded_throughput": history["throughput_per_day"],
                "recorded_overdue_share": history["overdue_share"],
                "baseline_cycle_avg": baseline.cycle_avg,
                "baseline_cycle_p90": baseline.cycle_p90,
                "baseline_throughput": baseline.throughput_per_day,
                "baseline_overdue_share": baseline.overdue_share or 0.0,
                "scenario_cycle_avg": changed.cycle_avg,
                "scenario_cycle_p90": changed.cycle_p90,
                "scenario_throughput": changed.throughput_per_day,
                "scenario_overdue_share": changed.overdue_share or 0.0,
                "has_deadlines": baseline.overdue_share is not None or changed.overdue_share is not None,
                "warning": "\n".join(warnings) or False,
            }
        )
        for line in self.line_ids:
            today = baseline.activities.get(line.activity_id.id)
            then = changed.activities.get(line.activity_id.id)
            if not today or not then:
                continue
            line.write(
                {
                    "baseline_waiting_hours": today.waiting_avg,
                    "scenario_waiting_hours": then.waiting_avg,
                    "baseline_utilisation": today.utilisation or 0.0,
                    "scenario_utilisation": then.utilisation or 0.0,
                }
            )

    # Display ---------------------------------------------------------------------------

    def _render_comparison(self):
        """A small table: each figure recorded, simulated today and in the scenario,
        with a bar per simulated figure and the change (the QWeb template
        ``crm_workflow_simulation_comparison``; this prepares its values)."""
        self.ensure_one()
        rows = {
            "cycle_avg": self._comparison_row("cycle_avg", percent=False, lower_is_better=True),
            "cycle_p90": self._comparison_row("cycle_p90", percent=False, lower_is_better=True),
            "throughput": self._comparison_row("throughput", percent=False, lower_is_better=False),
        }
        if self.has_deadlines:
            rows["overdue_share"] = self._comparison_row("overdue_share", percent=True, lower_is_better=True)
        return self.env["ir.qweb"]._render("crm_workflow.crm_workflow_simulation_comparison", {"rows": rows})

    def _comparison_row(self, figure, percent, lower_is_better):
        """One figure of the comparison, formatted: the recorded value (none without
        history), today's and the scenario's with the width of their bars (in % of the
        larger), and the change from today to the scenario."""
        recorded, today, then = (self[f"{side}_{figure}"] for side in ("recorded", "baseline", "scenario"))
        top = max(today, then)
        return {
            "recorded": self._format(recorded, percent) if self.history_count else False,
            "today": self._format(today, percent),
            "today_width": round(100.0 * today / top) if top else 0,
            "scenario": self._format(then, percent),
            "scenario_width": round(100.0 * then / top) if top else 0,
            **self._change(today, then, lower_is_better),
        }

    def _format(self, value, percent):
        if percent:
            return f"{formatLang(self.env, value * 100.0, digits=1)} %"
        return formatLang(self.env, value, digits=1)

    def _change(self, today, then, lower_is_better):
        """The change from today to the scenario: its trend (``same``, ``better`` or
        ``worse``; none without a figure today) and, when it moved, the signed percentage."""
        if not today:
            return {"trend": False, "change": False}
        change = (then - today) / today
        if abs(change) < 0.005:
            return {"trend": "same", "change": False}
        sign = "+" if change > 0 else "\N{MINUS SIGN}"
        return {
            "trend": "better" if (change < 0) == lower_is_better else "worse",
            "change": f"{sign}{formatLang(self.env, abs(change) * 100.0, digits=0)} %",
        }
