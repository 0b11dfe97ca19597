from itertools import pairwise

from odoo.tests import TransactionCase, new_test_user, tagged

SUITE_MODULES = ["crm_workflow", "crm_sfa", "crm_marketing", "crm_service", "crm_eai", "crm_dss"]

# The roles of each module, from the decision level down to the execution level:
# every group implies the one after it.
ROLE_CHAINS = {
    "crm_workflow": [
        "crm_workflow.group_crm_workflow_executive",
        "crm_workflow.group_crm_workflow_manager",
        "crm_workflow.group_crm_workflow_user",
    ],
    "crm_sfa": [
        "sales_team.group_sale_salesman_all_leads",
        "crm_sfa.group_crm_sfa_manager",
        "sales_team.group_sale_salesman",
    ],
    "crm_marketing": [
        "crm_marketing.group_crm_marketing_executive",
        "crm_marketing.group_crm_marketing_manager",
        "crm_marketing.group_crm_marketing_user",
    ],
    "crm_service": [
        "crm_service.group_crm_service_executive",
        "crm_service.group_crm_service_manager",
        "crm_service.group_crm_service_user",
    ],
    "crm_eai": [
        "crm_eai.group_crm_eai_manager",
        "crm_eai.group_crm_eai_user",
    ],
    "crm_dss": [
        "crm_dss.group_crm_dss_executive",
        "crm_dss.group_crm_dss_manager",
    ],
}


@tagged("post_install", "-at_install")
class TestRoles(TransactionCase):
    """The role matrix of the whole suite: how the groups of its modules fit together."""

    def test_all_documents_salesperson_is_sfa_department_manager(self):
        user = new_test_user(self.env, login="roles_all_leads", groups="sales_team.group_sale_salesman_all_leads")
        self.assertTrue(user.has_group("crm_sfa.group_crm_sfa_manager"))

    def test_each_role_implies_the_role_below(self):
        for module, chain in ROLE_CHAINS.items():
            for higher, lower in pairwise(chain):
                with self.subTest(module=module, group=higher):
                    self.assertIn(self.env.ref(lower), self.env.ref(higher).implied_ids)

    def test_highest_role_of_a_module_grants_all_its_roles(self):
        for module, chain in ROLE_CHAINS.items():
            with self.subTest(module=module):
                user = new_test_user(self.env, login=f"roles_top_{module}", groups=chain[0])
                self.assertEqual([group for group in chain if not user.has_group(group)], [])

    def test_every_internal_user_is_workflow_participant(self):
        new_user = new_test_user(self.env, login="roles_employee", groups="base.group_user")
        internal_users = self.env["res.users"].search([("share", "=", False)])
        self.assertIn(new_user, internal_users)
        self.assertFalse(
            internal_users.filtered(lambda user: not user.has_group("crm_workflow.group_crm_workflow_user"))
        )

    def test_portal_user_has_no_suite_group(self):
        portal_user = new_test_user(self.env, login="roles_portal", groups="base.group_portal")
        suite_groups = self.env["res.groups"].browse(
            self.env["ir.model.data"]
            .search([("model", "=", "res.groups"), ("module", "in", SUITE_MODULES)])
            .mapped("res_id")
        )
        role_groups = self.env["res.groups"].browse(
            [self.env.ref(group).id for chain in ROLE_CHAINS.values() for group in chain]
        )
        self.assertTrue(suite_groups)
        self.assertFalse(portal_user.groups_id & (suite_groups | role_groups))

    def test_admin_has_every_highest_role(self):
        admin = self.env.ref("base.user_admin")
        self.assertEqual([chain[0] for chain in ROLE_CHAINS.values() if not admin.has_group(chain[0])], [])
