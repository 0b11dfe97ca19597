from datetime import date, datetime

from odoo import Command

from .common import CrmSfaCommon


class CrmSfaForecastCommon(CrmSfaCommon):
    """:class:`CrmSfaCommon` with sales teams, a pipeline of stages of its own and helpers.

    Teams (one membership per salesperson, as Odoo allows by default)::

        Sales Team        participant, colleague (Sales), led by the manager
        North Team        sub_user (Sales North)
        Support Team      other_user (Support)
        Company 2 Team    company2_user (second company)

    Stages ``stage_1`` to ``stage_3`` then ``stage_won``, after Odoo's own.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Team = cls.env["crm.team"]
        cls.team_sales = Team.create(
            {
                "name": "Sales Team",
                "company_id": cls.company.id,
                "user_id": cls.manager.id,
                "member_ids": [Command.set((cls.participant | cls.colleague).ids)],
            }
        )
        cls.team_north = Team.create(
            {"name": "North Team", "company_id": cls.company.id, "member_ids": [Command.set(cls.sub_user.ids)]}
        )
        cls.team_support = Team.create(
            {"name": "Support Team", "company_id": cls.company.id, "member_ids": [Command.set(cls.other_user.ids)]}
        )
        cls.team_c2 = Team.create(
            {
                "name": "Company 2 Team",
                "company_id": cls.company_2.id,
                "member_ids": [Command.set(cls.company2_user.ids)],
            }
        )
        Stage = cls.env["crm.stage"]
        cls.stage_1, cls.stage_2, cls.stage_3 = Stage.create(
            [{"name": f"SFA Stage {index}", "sequence": 200 + index} for index in (1, 2, 3)]
        )
        cls.stage_won = Stage.create({"name": "SFA Won", "sequence": 210, "is_won": True})

    @classmethod
    def _opportunity(cls, user, team=None, company=None, **values):
        return cls.env["crm.lead"].create(
            {
                "name": values.pop("name", f"Deal of {user.name or 'nobody'}"),
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": user.id,
                "team_id": (team.id if team else False),
                "company_id": (company or cls.company).id,
                **values,
            }
        )

    @classmethod
    def _confirm_order(cls, key, on, team=None):
        """Confirm the fixture order of ``key`` and date it ``on`` (2 x 800 untaxed)."""
        order = cls.orders[key]
        if team:
            order.team_id = team
        order.action_confirm()
        order.date_order = datetime.combine(on, datetime.min.time().replace(hour=10))
        return order

    @classmethod
    def _post_invoice(cls, key, on, team=None):
        invoice = cls.invoices[key]
        invoice.write({"invoice_date": on, **({"team_id": team.id} if team else {})})
        invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoice, on):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": on})
            ._create_payments()
        )

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
