from odoo import Command

from .common import CrmSfaCommon


class CrmSfaSalesProcessCommon(CrmSfaCommon):
    """The organisation of :class:`CrmSfaCommon` with a sales administrator, who
    configures, and a sales process: a team of the head office with its own stages
    and qualification criteria, and another team.

    ``participant`` is the salesperson who works the leads; ``sales_admin`` has Odoo's
    *Sales: Administrator*. The BANT criteria the module ships (for every team) are
    archived so that the scores below depend only on the criteria made here.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_admin = cls._new_user("suite_sales_admin", "sales_team.group_sale_manager", cls.company)
        cls.env["crm.qualification.criterion"].search([("team_id", "=", False)]).active = False
        Team = cls.env["crm.team"]
        cls.team = Team.create({"name": "SFA Direct Sales", "company_id": cls.company.id, "use_leads": True})
        cls.other_team = Team.create({"name": "SFA Partners", "company_id": cls.company.id, "use_leads": True})
        Stage = cls.env["crm.stage"]
        cls.stage_new = Stage.create({"name": "New", "sequence": 901})
        cls.stage_qualified = Stage.create({"name": "Qualified", "sequence": 902})
        cls.stage_proposition = Stage.create({"name": "Proposition", "sequence": 903})
        Criterion = cls.env["crm.qualification.criterion"]
        cls.budget = Criterion.create({"name": "Budget", "team_id": cls.team.id, "weight": 3, "sequence": 1})
        cls.authority = Criterion.create({"name": "Authority", "team_id": cls.team.id, "weight": 1, "sequence": 2})
        cls.need = Criterion.create({"name": "Need", "team_id": cls.team.id, "weight": 1, "sequence": 3})
        cls.partner_fit = Criterion.create({"name": "Partner fit", "team_id": cls.other_team.id, "weight": 2})

    @classmethod
    def _new_lead(cls, name="ACME", user=None, team=None, stage=None, **values):
        """An opportunity of ``participant`` (by default) in the direct sales team, at New."""
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "user_id": (user if user is not None else cls.participant).id,
                "team_id": (team or cls.team).id,
                "stage_id": (stage or cls.stage_new).id,
                "company_id": cls.company.id,
                **values,
            }
        )

    @classmethod
    def _field(cls, name, model="crm.lead"):
        return cls.env["ir.model.fields"]._get(model, name)

    @staticmethod
    def _link(*records):
        return [Command.link(record.id) for record in records]
