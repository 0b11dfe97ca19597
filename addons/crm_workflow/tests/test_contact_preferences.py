from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestContactPreferences(TransactionCase):
    """The channels a contact may be reached by: their choice, then Odoo's blacklists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create({"name": "Anna", "email": "anna@example.com", "mobile": "+86 138 0000 0001"})
        cls.bo = Partner.create(
            {"name": "Bo", "email": "bo@example.com", "mobile": "+86 138 0000 0002", "crm_allow_email": False}
        )
        cls.chen = Partner.create({"name": "Chen", "street": "1 Nanjing Road", "crm_allow_sms": False})
        cls.everyone = cls.anna | cls.bo | cls.chen

    def test_the_contacts_choice(self):
        self.assertEqual(self.everyone._crm_contactable("email"), self.anna)
        self.assertEqual(self.everyone._crm_contactable("sms"), self.anna | self.bo)
        self.assertEqual(self.everyone._crm_contactable("post"), self.chen)
        self.bo.crm_allow_phone = False
        self.assertEqual(self.everyone._crm_contactable("phone"), self.anna)

    def test_the_email_blacklist(self):
        self.env["mail.blacklist"].create({"email": "Anna@Example.com"})
        self.assertFalse(self.everyone._crm_contactable("email"))

    def test_the_phone_blacklist(self):
        self.env["phone.blacklist"].create({"number": self.anna.phone_sanitized})
        self.assertEqual(self.everyone._crm_contactable("sms"), self.bo)

    def test_an_unknown_channel_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            self.everyone._crm_contactable("pigeon")
