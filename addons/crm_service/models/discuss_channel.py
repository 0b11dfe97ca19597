from email.utils import formataddr

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, format_datetime, html2plaintext, plaintext2html
from odoo.tools.mail import email_re

from ..lib import channels

CASE_COMMAND = "/case"


class DiscussChannel(models.Model):
    """Live chat sessions that become service cases.

    The operator types ``/case [subject]`` in a live chat (:meth:`execute_command_case`):

    * a signed-in visitor (a portal user, or a contact of ours invited to the chat) is the
      customer. The chat joins their open case (the most recently opened one, whoever
      handles it, in the operator's companies), else opens a new one;
    * an anonymous visitor (a guest of the website) is the customer once they gave an email
      address in the chat (to the chatbot's email question, or in a message): the contact of
      that address, or a new contact with the name the visitor gave. Their chat always opens a
      new case (an address typed in a chat proves nothing, so it never adds to a case someone
      else opened), and later ``/case`` commands in the same chat add to that case. Without an
      address the command is refused, saying to ask the visitor for one: the chat stays as it is.

    The transcript (the messages of the chat not yet on the case, with their attachments) is
    posted on the case as a note; the command again later adds what was said since. A
    customer who writes in a chat while their case waits on them puts it back in progress.
    """

    _inherit = "discuss.channel"

    crm_service_case_id = fields.Many2one(
        "crm.service.case",
        string="Service Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="crm_service.group_crm_service_user",
        help="The case the chat was turned into or joined with the /case command.",
    )
    crm_service_transcribed_id = fields.Many2one(
        "mail.message",
        string="Last Message on the Case",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups="crm_service.group_crm_service_user",
        help="The last message of the chat copied to its case: the next /case adds the ones after it.",
    )

    def execute_command_case(self, **kwargs):
        """The ``/case [subject]`` command of a live chat: the chat becomes a case or joins
        the visitor's open case; the operator is told which, with a link.

        Only a service agent who takes part in the chat may run it (visitors, portal users
        and other employees get an AccessError).
        """
        self.ensure_one()
        if not self.env.user.has_group("crm_service.group_crm_service_user"):
            raise AccessError(self.env._("Only service agents can turn a chat into a case."))
        if self.channel_type != "livechat":
            raise UserError(self.env._("Only a live chat can become a service case."))
        if not self.is_member:
            raise AccessError(self.env._("Join the chat to turn it into a case."))
        subject = html2plaintext(kwargs.get("body") or "").strip()
        subject = subject[len(CASE_COMMAND) :] if subject.startswith(CASE_COMMAND) else subject
        case, created = self._crm_service_to_case(subject.strip())
        message = (
            self.env._("Created case %(case)s from this chat.", case=case._get_html_link())
            if created
            else self.env._("Added this chat to case %(case)s.", case=case._get_html_link())
        )
        self.env.user._bus_send_transient_message(self, message)

    def _crm_service_to_case(self, subject=""):
        """Post the chat's new messages on its case, opened now if need be; ``(case, created)``.

        See the class's docstring for which case and which customer. ``subject`` names a
        new case; without it, the visitor's first words do.
        """
        self.ensure_one()
        # sudo: the link to the case is the system's; agents may not write the chat's record
        channel = self.sudo()
        case = channel.crm_service_case_id
        customer = self._crm_service_visitor()
        if not case and customer:
            # sudo: the visitor's open case is found whoever handles it; it is only added to
            case = (
                self.env["crm.service.case"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", customer.id),
                        ("state", "in", channels.OPEN_STATES),
                        ("company_id", "in", self.env.companies.ids),
                    ],
                    order="date_open desc, id desc",
                    limit=1,
                )
            )
        messages = self._crm_service_messages_to_transcribe(channel.crm_service_transcribed_id)
        visitor_text = "\n".join(
            html2plaintext(message.body) for message in messages if self._crm_service_from_visitor(message, customer)
        )
        created = not case
        if created:
            customer = customer or self._crm_service_anonymous_contact()
            kept, _cut = channels.truncate(visitor_text)
            case = self.env["crm.service.case"].create(
                {
                    "subject": subject
                    or channels.subject_from_text(visitor_text)
                    or self.env._("Live chat with %(visitor)s", visitor=customer.display_name),
                    "description": plaintext2html(kept) if kept else False,
                    "channel": "chat",
                    "partner_id": customer.id,
                }
            )
        elif visitor_text:
            # sudo: the visitor answered on their case, which the operator may not handle
            case.sudo()._crm_service_customer_replied()
        self._crm_service_post_transcript(case, messages)
        channel.write(
            {
                "crm_service_case_id": case.id,
                "crm_service_transcribed_id": (messages[-1:] or channel.crm_service_transcribed_id).id,
            }
        )
        return case, created

    def _crm_service_visitor(self):
        """The signed-in visitor of the chat: the partner of a member who is neither staff
        nor the public user, or an empty recordset when the visitor is anonymous."""
        partners = self.with_context(active_test=False).channel_member_ids.partner_id
        if any(partner.is_public for partner in partners):
            return self.env["res.partner"]
        return partners.filtered(lambda partner: partner.partner_share)[:1]

    def _crm_service_from_visitor(self, message, visitor):
        """Whether the visitor wrote ``message``: ``visitor`` when signed in, else a guest
        (not the operators, nor a chatbot)."""
        return bool(message.author_guest_id) or bool(visitor and message.author_id == visitor)

    def _crm_service_messages_to_transcribe(self, last):
        """The messages of the chat after ``last``, oldest first, that have something to show."""
        return self.message_ids.filtered(
            lambda message: message.id > last.id and (message.body or message.attachment_ids)
        ).sorted("id")

    def _crm_service_anonymous_contact(self):
        """The contact of an anonymous visitor, by the email address they gave in the chat.

        Raises :class:`UserError` when they gave none: the operator should ask for it.
        """
        # sudo: the visitor's answers to the chatbot are read for their address, whatever the operator's rights
        answers = self.sudo()._chatbot_find_customer_values_in_messages({"question_email": "email"})
        found = [answers["email"]] if answers.get("email") else []
        found += [
            address
            for message in self.message_ids.sorted("id")
            if self._crm_service_from_visitor(message, self.env["res.partner"])
            for address in email_re.findall(html2plaintext(message.body or ""))
        ]
        email = next((email_normalize(address) for address in found if email_normalize(address)), False)
        if not email:
            raise UserError(
                self.env._(
                    "The visitor of this chat is anonymous and gave no email address: "
                    "ask them for one in the chat, then type /case again."
                )
            )
        guest = self.channel_member_ids.guest_id[:1]
        name = guest.name or self.anonymous_name or email
        # sudo: the contact holds only what the visitor gave; operators may not create contacts
        return (
            self.env["mail.thread"]
            .sudo()
            ._mail_find_partner_from_emails([formataddr((name, email))], force_create=True)[0]
        )

    def _crm_service_post_transcript(self, case, messages):
        """A note on ``case`` with ``messages`` of the chat and copies of their attachments
        (the chat's own are readable by its members only), mentioning whoever handles the
        case when it is not the operator."""
        if not messages:
            return
        tz = self.env.user.tz or "UTC"
        lines = [
            {
                "date": format_datetime(self.env, message.date, tz=tz, dt_format="short"),
                "author": message.author_id.name or message.author_guest_id.name or self.anonymous_name or "",
                "text": html2plaintext(message.body or ""),
                "attachments": ", ".join(message.attachment_ids.mapped("name")),
            }
            for message in messages
        ]
        body = self.env["ir.qweb"]._render(
            "crm_service.crm_service_case_chat_transcript", {"channel_name": self.name, "lines": lines}
        )
        # sudo: the chat joins the visitor's case whoever handles it; the copies belong to the case
        case = case.sudo()
        copies = messages.attachment_ids.sudo().copy({"res_model": case._name, "res_id": case.id})
        case.with_context(mail_create_nosubscribe=True).message_post(
            body=body,
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            attachment_ids=copies.ids,
            partner_ids=(case.user_id.partner_id - self.env.user.partner_id).ids,
        )
