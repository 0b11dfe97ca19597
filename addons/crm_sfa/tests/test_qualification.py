import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common_sales_process import CrmSfaSalesProcessCommon


@tagged("post_install", "-at_install")
class TestQualificationScore(CrmSfaSalesProcessCommon):
    """The salesperson ticks the criteria a lead meets; the score is their weighted share."""

    def test_salesperson_ticks_criteria(self):
        lead = self._new_lead().with_user(self.participant)
        self.assertEqual(lead.crm_qualification_score, 0.0)
        lead.crm_qualification_criterion_ids = self._link(self.budget)
        self.assertEqual(lead.crm_qualification_score, 60.0)  # 3 of 3 + 1 + 1
        lead.write({"crm_qualification_criterion_ids": self._link(self.authority, self.need)})
        self.assertEqual(lead.crm_qualification_score, 100.0)
        lead.write({"crm_qualification_criterion_ids": [Command.unlink(self.budget.id)]})
        self.assertEqual(lead.crm_qualification_score, 40.0)

    def test_score_shown_while_editing(self):
        with Form(self.env["crm.lead"].with_user(self.participant)) as form:
            form.name = "ACME"
            form.team_id = self.team
            form.crm_qualification_criterion_ids.add(self.budget)
            self.assertEqual(form.crm_qualification_score, 60.0)
            form.crm_qualification_criterion_ids.add(self.need)
            self.assertEqual(form.crm_qualification_score, 80.0)
        self.assertEqual(form.record.crm_qualification_score, 80.0)

    def test_score_follows_the_team(self):
        lead = self._new_lead(crm_qualification_criterion_ids=self._link(self.budget, self.partner_fit))
        self.assertEqual(lead.crm_qualification_score, 60.0)
        lead.team_id = self.other_team
        self.assertEqual(lead.crm_qualification_score, 100.0, "only Partner fit counts for the partners' team")
        lead.team_id = False
        self.assertEqual(lead.crm_qualification_score, 0.0, "no team, no criteria")

    def test_criteria_of_every_team_count_for_all(self):
        lead = self._new_lead(crm_qualification_criterion_ids=self._link(self.budget))
        timing = self.env["crm.qualification.criterion"].with_user(self.sales_admin).create({"name": "Timing"})
        self.env.flush_all()
        self.assertEqual(lead.crm_qualification_score, 50.0)  # 3 of 3 + 1 + 1 + 1
        lead.crm_qualification_criterion_ids = self._link(timing)
        self.assertEqual(lead.crm_qualification_score, 66.67)

    def test_configuration_changes_rescore_the_leads(self):
        lead = self._new_lead(crm_qualification_criterion_ids=self._link(self.budget))
        other_lead = self._new_lead("Other", team=self.other_team, crm_qualification_criterion_ids=self._link())
        Criterion = self.env["crm.qualification.criterion"].with_user(self.sales_admin)
        Criterion.browse(self.need.id).weight = 6
        self.assertEqual(lead.crm_qualification_score, 30.0)  # 3 of 3 + 1 + 6
        Criterion.browse(self.need.id).active = False
        self.assertEqual(lead.crm_qualification_score, 75.0)
        Criterion.browse(self.authority.id).unlink()
        self.assertEqual(lead.crm_qualification_score, 100.0)
        Criterion.browse(self.budget.id).team_id = self.other_team
        self.assertEqual(lead.crm_qualification_score, 0.0, "the team has no active criterion left")
        self.assertEqual(other_lead.crm_qualification_score, 0.0, "Budget does not count as met for that lead")

    @mute_logger("odoo.sql_db")
    def test_weight_must_be_positive(self):
        with self.assertRaises(psycopg2.errors.CheckViolation):
            self.budget.with_user(self.sales_admin).weight = 0
            self.budget.flush_recordset()
        self.assertEqual(self.budget.weight, 3)


@tagged("post_install", "-at_install")
class TestStageGates(CrmSfaSalesProcessCommon):
    """A gate keeps a lead out of a stage until its fields are filled in and its criteria confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gate = (
            cls.env["crm.stage.gate"]
            .with_user(cls.sales_admin)
            .create(
                {
                    "stage_id": cls.stage_proposition.id,
                    "team_id": cls.team.id,
                    "field_ids": cls._link(cls._field("expected_revenue")),
                    "criterion_ids": cls._link(cls.budget),
                }
            )
        )

    def test_move_without_requirements_names_them_and_changes_nothing(self):
        lead = self._new_lead(priority="0").with_user(self.participant)
        with self.assertRaises(ValidationError) as caught:
            lead.write({"stage_id": self.stage_proposition.id, "priority": "3"})
        self.assertEqual(
            str(caught.exception), "Fill in Expected Revenue and confirm Budget before moving ACME to Proposition."
        )
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertEqual(lead.priority, "0")

    def test_kanban_drag_is_held_too(self):
        lead = self._new_lead(expected_revenue=5000).with_user(self.participant)
        with self.assertRaises(ValidationError) as caught:
            lead.web_save({"stage_id": self.stage_proposition.id}, specification={"stage_id": {}})
        self.assertEqual(str(caught.exception), "Confirm Budget before moving ACME to Proposition.")
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_move_once_requirements_met(self):
        lead = self._new_lead().with_user(self.participant)
        lead.write({"crm_qualification_criterion_ids": self._link(self.budget)})
        with self.assertRaises(ValidationError) as caught:
            lead.stage_id = self.stage_proposition
        self.assertEqual(str(caught.exception), "Fill in Expected Revenue before moving ACME to Proposition.")
        # the missing value may come with the move itself
        lead.write({"stage_id": self.stage_proposition.id, "expected_revenue": 12000})
        self.assertEqual(lead.stage_id, self.stage_proposition)

    def test_several_leads_each_named(self):
        leads = (self._new_lead("ACME") | self._new_lead("Globex", expected_revenue=100)).with_user(self.participant)
        with self.assertRaises(ValidationError) as caught:
            leads.write({"stage_id": self.stage_proposition.id})
        self.assertEqual(
            str(caught.exception).splitlines(),
            [
                "Fill in Expected Revenue and confirm Budget before moving ACME to Proposition.",
                "Confirm Budget before moving Globex to Proposition.",
            ],
        )
        self.assertEqual(leads.stage_id, self.stage_new)

    def test_gate_of_a_team_holds_only_its_leads(self):
        lead = self._new_lead(team=self.other_team).with_user(self.participant)
        lead.stage_id = self.stage_proposition
        self.assertEqual(lead.stage_id, self.stage_proposition)

    def test_gate_of_every_team(self):
        self.env["crm.stage.gate"].with_user(self.sales_admin).create(
            {
                "stage_id": self.stage_qualified.id,
                "field_ids": self._link(self._field("email_from"), self._field("phone")),
            }
        )
        lead = self._new_lead(team=self.other_team, phone="+32 2 555 12 12").with_user(self.participant)
        with self.assertRaises(ValidationError) as caught:
            lead.stage_id = self.stage_qualified
        self.assertEqual(str(caught.exception), "Fill in Email before moving ACME to Qualified.")

    def test_lead_leaving_or_filed_without_stage_is_not_held(self):
        lead = self._new_lead(stage=self.stage_proposition)
        self.assertEqual(lead.stage_id, self.stage_proposition, "creating a lead in a stage is not a move")
        lead.with_user(self.participant).stage_id = self.stage_new
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_archived_gate_holds_nobody(self):
        self.gate.with_user(self.sales_admin).active = False
        lead = self._new_lead().with_user(self.participant)
        lead.stage_id = self.stage_proposition
        self.assertEqual(lead.stage_id, self.stage_proposition)

    def test_field_deleted_since_holds_nobody(self):
        custom = self.env["ir.model.fields"].create(
            {
                "name": "x_sfa_budget_owner",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "field_description": "Budget Owner",
                "ttype": "char",
            }
        )
        gate = self.env["crm.stage.gate"].create({"stage_id": self.stage_qualified.id, "field_ids": self._link(custom)})
        lead = self._new_lead()
        with self.assertRaises(ValidationError):
            lead.stage_id = self.stage_qualified
        custom.unlink()
        self.assertFalse(gate.field_ids)
        lead.stage_id = self.stage_qualified
        self.assertEqual(lead.stage_id, self.stage_qualified)


@tagged("post_install", "-at_install")
class TestStageGateConfiguration(CrmSfaSalesProcessCommon):
    """A gate that could never be met, or names what leads do not have, is refused when set up."""

    def _create(self, **values):
        return (
            self.env["crm.stage.gate"]
            .with_user(self.sales_admin)
            .create({"stage_id": self.stage_qualified.id, **values})
        )

    def test_field_of_another_model(self):
        with self.assertRaises(ValidationError) as caught:
            self._create(field_ids=self._link(self._field("vat", model="res.partner")))
        self.assertIn("which is not a field of leads", str(caught.exception))
        self.assertIn("res.partner.vat", str(caught.exception))

    def test_field_no_longer_in_the_registry(self):
        field = self._field("expected_revenue")
        # a field whose module is being removed: its ir.model.fields row outlives the model's field
        self.env.cr.execute(
            "UPDATE ir_model_fields SET name = 'x_gone_revenue' WHERE id = %s",
            [field.id],
        )
        field.invalidate_recordset()
        with self.assertRaises(ValidationError) as caught:
            self._create(field_ids=self._link(field))
        self.assertIn("x_gone_revenue", str(caught.exception))

    def test_criterion_of_another_team(self):
        with self.assertRaises(ValidationError) as caught:
            self._create(team_id=self.team.id, criterion_ids=self._link(self.partner_fit))
        self.assertIn("Partner fit", str(caught.exception))
        with self.assertRaises(ValidationError):
            self._create(criterion_ids=self._link(self.budget))  # every team's gate, one team's criterion

    def test_gate_asking_nothing(self):
        with self.assertRaises(ValidationError) as caught:
            self._create(team_id=self.team.id)
        self.assertIn("asks for nothing", str(caught.exception))

    def test_team_gate_with_criteria_of_every_team(self):
        bant = self.env["crm.qualification.criterion"].create({"name": "Timing"})
        gate = self._create(team_id=self.team.id, criterion_ids=self._link(self.budget, bant))
        self.assertEqual(gate.display_name, "Qualified (SFA Direct Sales)")


@tagged("post_install", "-at_install")
class TestQualificationAccess(CrmSfaSalesProcessCommon):
    """Salespeople read the configuration, the sales administrator maintains it."""

    def test_salesperson_reads_but_does_not_configure(self):
        criterion = self.budget.with_user(self.participant)
        self.assertEqual(criterion.name, "Budget")
        with self.assertRaises(AccessError):
            criterion.weight = 5
        with self.assertRaises(AccessError):
            self.env["crm.qualification.criterion"].with_user(self.participant).create({"name": "Champion"})
        with self.assertRaises(AccessError):
            self.env["crm.stage.gate"].with_user(self.participant).create(
                {"stage_id": self.stage_qualified.id, "criterion_ids": self._link(self.budget)}
            )
        with self.assertRaises(AccessError):
            criterion.unlink()

    def test_sales_admin_maintains(self):
        Criterion = self.env["crm.qualification.criterion"].with_user(self.sales_admin)
        champion = Criterion.create({"name": "Champion", "team_id": self.team.id})
        champion.weight = 2
        gate = (
            self.env["crm.stage.gate"]
            .with_user(self.sales_admin)
            .create(
                {"stage_id": self.stage_qualified.id, "team_id": self.team.id, "criterion_ids": self._link(champion)}
            )
        )
        gate.unlink()
        champion.unlink()
        self.assertFalse(champion.exists())

    def test_portal_reads_nothing(self):
        for model in ("crm.qualification.criterion", "crm.stage.gate"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal).search([])

    def test_second_company_criteria_stay_there(self):
        team_2 = self.env["crm.team"].create({"name": "SFA Company 2", "company_id": self.company_2.id})
        criterion_2 = self.env["crm.qualification.criterion"].create({"name": "Local budget", "team_id": team_2.id})
        criteria = self.budget | criterion_2
        self.assertVisible(self.participant, criteria, self.budget)
        self.assertVisible(self.company2_user, criteria, criterion_2)
        self.assertEqual(criterion_2.company_id, self.company_2)

    def test_salesperson_ticks_criteria_only_on_leads_they_may_write(self):
        colleague_lead = self._new_lead(user=self.colleague)
        with self.assertRaises(AccessError):
            colleague_lead.with_user(self.participant).crm_qualification_criterion_ids = self._link(self.budget)
