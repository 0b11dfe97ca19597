import codecs

from odoo import models


def _known_charset(charset):
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


class MailThread(models.AbstractModel):
    """Incoming mails whose text names a charset no codec knows (a typo, a vendor's own,
    ``x-unknown``) are read, not refused.

    Odoo's gateway fails on such a mail (``LookupError`` while reading the body), and the
    fetchmail server then fails on it at every fetch: the customer's request never becomes a
    case. Here the parts of an unknown charset are read as UTF-8 instead (what is not UTF-8
    shows as replacement characters) and the mail goes on as Odoo processes any other. Mails
    Odoo reads are untouched.
    """

    _inherit = "mail.thread"

    def _message_parse_extract_payload(self, message, message_dict, save_original=False):
        try:
            return super()._message_parse_extract_payload(message, message_dict, save_original=save_original)
        except LookupError:
            unknown = [part for part in message.walk() if not _known_charset(part.get_content_charset() or "ascii")]
            if not unknown:
                raise
            for part in unknown:
                part.set_param("charset", "utf-8")
            return super()._message_parse_extract_payload(message, message_dict, save_original=save_original)
