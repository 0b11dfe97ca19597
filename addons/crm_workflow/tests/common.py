import threading
import time

from psycopg2 import OperationalError, errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.api import Transaction
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import mute_logger


def call_kw(user, model, method, *args, context=None, **kwargs):
    """Call ``model.method`` as ``user`` the way the web client does over RPC
    (``/web/dataset/call_kw``): private methods refused, ids as the first argument of
    record methods, the caller's own context."""
    records = user.env(user=user.id, su=False)[model]
    get_public_method(records, method)
    # the web client sends its whole context with every call, the allowed companies in it
    kwargs["context"] = {"lang": "en_US", "allowed_company_ids": user.company_ids.ids, **(context or {})}
    return api.call_kw(records, method, list(args), kwargs)


def run_in_transaction(registry, user_id, body, retry=True, tries=5, on_attempt=None):
    """Run ``body(env)`` as ``user_id`` in a transaction of its own, committed at the end,
    retried on serialization failures as Odoo's workers retry a request
    (``odoo.service.model.retrying``), without reloading the registry the test runner
    holds; returns what ``body`` returned. For the two-transaction tests of the suite:
    each thread runs one; ``on_attempt(n)`` is told of every attempt."""
    with registry.cursor() as cr:
        # the transaction is given its registry: looking it up by name would wait for the
        # lock the test runner holds while post-install tests run
        cr.transaction = Transaction(registry)
        env = api.Environment(cr, user_id, {})
        for attempt in range(1, tries + 1):
            if on_attempt:
                on_attempt(attempt)
            try:
                return body(env)  # committed when the cursor closes
            except OperationalError as error:
                if not retry or error.pgcode != errorcodes.SERIALIZATION_FAILURE or attempt == tries:
                    raise
                cr.rollback()
                env.transaction.clear()
                time.sleep(0.2 * attempt)
    return None


def race(registry, first, second, user_id=SUPERUSER_ID, hold_seconds=1.0, tries=5):
    """Run ``first(env)`` and ``second(env)`` in two transactions at the same moment, as two
    workers would: ``first`` starts, ``second`` starts 0.3 s later while ``first`` holds its
    transaction open (once, ``hold_seconds`` more), each retried on serialization failures
    (:func:`run_in_transaction`). Returns ``(errors, attempts)`` of each: the exceptions
    that escaped and the attempt numbers, so that a test can tell a real race (the second
    retried) from two runs one after the other."""
    started = threading.Event()
    results = (([], []), ([], []))

    def held(env):
        first(env)
        env.flush_all()
        if not started.is_set():
            started.wait(10)
            time.sleep(hold_seconds)

    def thread(body, errors, attempts):
        def run():
            try:
                run_in_transaction(registry, user_id, body, tries=tries, on_attempt=attempts.append)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        return threading.Thread(target=run)

    one, two = thread(held, *results[0]), thread(second, *results[1])
    with mute_logger("odoo.sql_db"):
        one.start()
        time.sleep(0.3)
        started.set()
        two.start()
        one.join(30)
        two.join(30)
    return results


def public_methods(env, module):
    """``(model, method)`` of every method an add-on defines that RPC may call: the
    inventory a module's security test compares with the buttons it means to offer."""
    found = set()
    for name in env.registry:
        model = env[name]
        for cls in type(model).mro():
            if not cls.__module__.startswith(f"odoo.addons.{module}."):
                continue
            for attribute, value in vars(cls).items():
                if attribute.startswith("_") or not callable(value):
                    continue
                try:
                    get_public_method(model, attribute)
                except AccessError:
                    continue
                found.add((name, attribute))
    return found


def new_staff_user(env, login, groups, department=None, companies=None):
    """An internal user of ``companies`` (the current company by default) with an
    employee in ``department``: how the suite's record rules find a user's department."""
    companies = companies or env.company
    user = new_test_user(
        env,
        login=login,
        groups=groups,
        company_id=companies[0].id,
        company_ids=[Command.set(companies.ids)],
    )
    env["hr.employee"].with_company(companies[0]).create(
        {
            "name": user.name,
            "user_id": user.id,
            "department_id": department.id if department else False,
            "company_id": companies[0].id,
        }
    )
    return user


class CrmSuiteOrgCase(TransactionCase):
    """The organisation every security test of the suite runs against.

    Two companies, a department tree and one user per role, each linked to its
    department through an ``hr.employee``::

        Sales (dept_sales)            participant, colleague, manager (department manager)
          Sales North (dept_sub)      sub_user
        Support (dept_other)          other_user
        Board (dept_board)            executive (both companies)
        Company 2 Sales (dept_c2)     company2_user (second company only)
        -                             portal

    The groups of each level come from the class attributes, so that every module
    of the suite runs the same organisation with its own groups.
    """

    execution_groups = "base.group_user"
    management_groups = "base.group_user,crm_workflow.group_crm_workflow_manager"
    decision_groups = "base.group_user,crm_workflow.group_crm_workflow_executive"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls._setup_companies()
        cls._setup_departments()
        cls._setup_users()
        cls._setup_employees()

    # The _setup_* class methods return what they made, so that subclasses extend them.

    @classmethod
    def _setup_companies(cls):
        cls.company = cls.env.ref("base.main_company")
        cls.company_2 = cls.env["res.company"].create({"name": "Second Company"})
        return cls.company | cls.company_2

    @classmethod
    def _setup_departments(cls):
        Department = cls.env["hr.department"]
        # The sales tree is shared by the companies of the group (no company), as the
        # departments of a head office usually are for its branches.
        cls.dept_sales = Department.create({"name": "Sales", "company_id": False})
        cls.dept_sub = Department.create({"name": "Sales North", "parent_id": cls.dept_sales.id, "company_id": False})
        cls.dept_other = Department.create({"name": "Support", "company_id": cls.company.id})
        cls.dept_board = Department.create({"name": "Board", "company_id": cls.company.id})
        cls.dept_c2 = Department.create({"name": "Company 2 Sales", "company_id": cls.company_2.id})
        return cls.dept_sales | cls.dept_sub | cls.dept_other | cls.dept_board | cls.dept_c2

    @classmethod
    def _new_user(cls, login, groups, company, companies=None):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            name=login.replace("_", " ").title(),
            company_id=company.id,
            company_ids=[Command.set((companies or company).ids)],
        )

    @classmethod
    def _setup_users(cls):
        execution, company = cls.execution_groups, cls.company
        cls.participant = cls._new_user("suite_participant", execution, company)
        cls.colleague = cls._new_user("suite_colleague", execution, company)
        cls.sub_user = cls._new_user("suite_sub_user", execution, company)
        cls.other_user = cls._new_user("suite_other_user", execution, company)
        cls.manager = cls._new_user("suite_manager", cls.management_groups, company)
        cls.executive = cls._new_user(
            "suite_executive", cls.decision_groups, company, companies=cls.company | cls.company_2
        )
        cls.company2_user = cls._new_user("suite_company2_user", execution, cls.company_2)
        cls.portal = cls._new_user("suite_portal", "base.group_portal", company)
        return (
            cls.participant
            | cls.colleague
            | cls.sub_user
            | cls.other_user
            | cls.manager
            | cls.executive
            | cls.company2_user
            | cls.portal
        )

    @classmethod
    def _new_employee(cls, user, department, company=None):
        return cls.env["hr.employee"].create(
            {
                "name": user.name,
                "user_id": user.id,
                "department_id": department.id,
                "company_id": (company or user.company_id).id,
            }
        )

    @classmethod
    def _setup_employees(cls):
        cls.employee_participant = cls._new_employee(cls.participant, cls.dept_sales)
        cls.employee_colleague = cls._new_employee(cls.colleague, cls.dept_sales)
        cls.employee_sub_user = cls._new_employee(cls.sub_user, cls.dept_sub)
        cls.employee_other_user = cls._new_employee(cls.other_user, cls.dept_other)
        cls.employee_manager = cls._new_employee(cls.manager, cls.dept_sales)
        cls.employee_executive = cls._new_employee(cls.executive, cls.dept_board)
        cls.employee_company2_user = cls._new_employee(cls.company2_user, cls.dept_c2)
        cls.dept_sales.manager_id = cls.employee_manager
        return (
            cls.employee_participant
            | cls.employee_colleague
            | cls.employee_sub_user
            | cls.employee_other_user
            | cls.employee_manager
            | cls.employee_executive
            | cls.employee_company2_user
        )

    def assertVisible(self, user, records, expected, **context):
        """Among ``records``, ``user`` finds exactly ``expected`` (ignores other data of the database)."""
        found = records.with_user(user).with_context(**context).search([("id", "in", records.ids)])
        self.assertEqual(
            found.sudo(),
            expected.sudo(),
            f"{user.login} should see {sorted(expected.mapped('display_name'))}, "
            f"not {sorted(found.sudo().mapped('display_name'))}",
        )


class CrmWorkflowCommon(CrmSuiteOrgCase):
    """The organisation of :class:`CrmSuiteOrgCase` with customer events owned by each user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Event Customer"})
        Event = cls.env["crm.event"]
        values = {"partner_id": cls.customer.id, "company_id": cls.company.id}
        cls.event_participant = Event.create(dict(values, name="Participant event", user_id=cls.participant.id))
        cls.event_colleague = Event.create(dict(values, name="Colleague event", user_id=cls.colleague.id))
        cls.event_sub_user = Event.create(dict(values, name="Sub-department event", user_id=cls.sub_user.id))
        cls.event_other_user = Event.create(dict(values, name="Other department event", user_id=cls.other_user.id))
        cls.event_manager = Event.create(dict(values, name="Manager event", user_id=cls.manager.id))
        cls.event_executive = Event.create(dict(values, name="Executive event", user_id=cls.executive.id))
        cls.event_unassigned = Event.create(dict(values, name="Unassigned event", user_id=False))
        values_c2 = {"company_id": cls.company_2.id}
        cls.event_company2 = Event.create(dict(values_c2, name="Company 2 event", user_id=cls.company2_user.id))
        cls.event_company2_unassigned = Event.create(dict(values_c2, name="Company 2 unassigned event", user_id=False))
        cls.events_company = (
            cls.event_participant
            | cls.event_colleague
            | cls.event_sub_user
            | cls.event_other_user
            | cls.event_manager
            | cls.event_executive
            | cls.event_unassigned
        )
        # what the manager of Sales finds: Sales, Sales North and the unassigned event
        cls.events_department = (
            cls.event_participant | cls.event_colleague | cls.event_sub_user | cls.event_manager | cls.event_unassigned
        )
        cls.events_company2 = cls.event_company2 | cls.event_company2_unassigned
        cls.events = cls.events_company | cls.events_company2
