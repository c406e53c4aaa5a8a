"""Email in (SPEC §8): a message to the desk creates a ticket, a reply lands on its ticket,
robots and loops never create anything, and nothing is ever lost."""

import io
import sys

import pytest
import time_machine
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command

from accounts.models import Role
from attachments.models import Attachment
from tickets import actions
from tickets.mail.addresses import reply_address, thread_root
from tickets.mail.ingest import ingest_email, retry_failed
from tickets.mail.parse import parse_email
from tickets.mail.text import html_to_text, trim_reply
from tickets.models import FailedInboundMessage, InboundAddress, InboundEmail, Message, OutboundEmail, Ticket

from ..factories import CategoryFactory, TicketTypeFactory, make_ticket, make_user
from . import mail_support
from .lifecycle_helpers import T0, copy_in, fresh, resolve, status
from .mail_support import DESK, compose, load_eml, reply_values, user

desk = mail_support.desk  # the fixture
pytestmark = pytest.mark.usefixtures("desk")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tk(people, commit, mailoutbox):
    """Dave's ticket, with Bob's reply mailed to Dave (the notification a reply answers)."""
    with commit():
        ticket = make_ticket(people.dave, people.category)
        actions.add_message(ticket=ticket, actor=people.bob, body="Try replacing the fuse.")
    mailoutbox.clear()
    return ticket


def notification_id(ticket, to="dave@example.com") -> str:
    return OutboundEmail.objects.filter(ticket=ticket, recipient=to, kind="reply").get().message_id


def messages(ticket) -> list[Message]:
    return list(Message.objects.filter(ticket=ticket).order_by("id"))


def attachment_names(**filters) -> list[str]:
    return sorted(Attachment.objects.filter(**filters).values_list("filename", flat=True))


def ingest(raw: bytes, commit):
    with commit():
        return ingest_email(raw)


class TestCorpusReplies:
    def test_a_gmail_reply_lands_on_its_ticket_without_the_quoted_history(self, people, tk, commit):
        raw = load_eml("gmail_reply.eml", **reply_values(tk, notification_id(tk)))
        intake = ingest(raw, commit)
        assert (intake.outcome, intake.ticket_id) == ("replied", tk.pk)
        reply = messages(tk)[-1]
        assert reply.author == people.dave and not reply.internal
        assert reply.body == (
            "Thanks, the new fuse did it. The printer works again!\n\n"
            "One more thing: the paper tray still squeaks a little."
        )
        assert attachment_names(message=reply) == ["original.eml"]

    def test_an_outlook_reply_is_cut_at_the_original_message_and_found_by_its_subject(
        self, people, tk, commit
    ):
        intake = ingest(load_eml("outlook_reply.eml", number=tk.pk), commit)
        assert (intake.outcome, intake.ticket_id) == ("replied", tk.pk)
        body = messages(tk)[-1].body
        assert body.startswith("Hello,\n\nIt happened again this morning")
        assert body.endswith("Regards,\nDave")
        assert "Original Message" not in body and "Try replacing" not in body

    def test_an_out_of_office_reply_is_ignored(self, people, tk, commit, mailoutbox):
        raw = load_eml("auto_reply.eml", **reply_values(tk, notification_id(tk)))
        intake = ingest(raw, commit)
        assert intake.outcome == "ignored:auto-submitted" and intake.ticket_id is None
        assert len(messages(tk)) == 1 and mailoutbox == []

    def test_a_bounce_creates_nothing(self, people, commit, mailoutbox):
        intake = ingest(load_eml("bounce.eml"), commit)
        assert intake.outcome.startswith("ignored:")
        assert not Ticket.objects.exists() and mailoutbox == []
        assert InboundEmail.objects.get().outcome == intake.outcome


class TestCorpusNewTickets:
    def test_an_html_only_message_becomes_markdown_text(self, people, commit, mailoutbox):
        intake = ingest(load_eml("html_only.eml"), commit)
        ticket = Ticket.objects.get(pk=intake.ticket_id)
        assert intake.outcome == "created" and ticket.subject == "VPN broken since the update"
        assert ticket.requester.email == "frank@example.org" and ticket.requester.name == "Frank Newman"
        assert ticket.category == people.category
        assert ticket.description == (
            "Hello support,\n\n"
            "Since the update our **VPN client** refuses to connect & shows error `809`.\n\n"
            "- Windows 11 laptops\n- only on the office Wi-Fi\n\n"
            "Details are on [our status page](https://status.example.org/vpn).\n\n"
            "Thanks,\nFrank"
        )
        assert "<strong>VPN client</strong>" in ticket.description_html
        assert attachment_names(ticket=ticket) == ["original.eml"]
        (auto_response,) = mailoutbox
        assert auto_response.to == ["frank@example.org"]

    def test_a_base64_pdf_is_attached_under_its_encoded_name(self, people, commit):
        intake = ingest(load_eml("pdf_attachment.eml"), commit)
        (attachment,) = Attachment.objects.filter(ticket_id=intake.ticket_id)
        assert attachment.filename == "facture-été.pdf" and attachment.content_type == "application/pdf"
        with attachment.file.open("rb") as stored:
            assert stored.read().startswith(b"%PDF-1.4")
        assert Ticket.objects.get(pk=intake.ticket_id).description.startswith(
            "Hello,\n\nthe attached invoice"
        )

    def test_iso_8859_1_subject_sender_and_body_are_decoded(self, people, commit):
        ticket = Ticket.objects.get(pk=ingest(load_eml("latin1.eml"), commit).ticket_id)
        assert ticket.subject == "Problème d'accès à l'intranet"
        assert ticket.requester.name == "Hélène Dupré"
        assert "je n'arrive plus à me connecter" in ticket.description
        assert "« mot de passe expiré »" in ticket.description

    def test_shift_jis_subject_sender_and_body_are_decoded(self, people, commit):
        ticket = Ticket.objects.get(pk=ingest(load_eml("shift_jis.eml"), commit).ticket_id)
        assert ticket.subject == "プリンターが動きません"
        assert ticket.requester.name == "山田 太郎"
        assert "三階のプリンターが朝から動きません。" in ticket.description

    def test_a_forwarded_message_keeps_what_was_forwarded(self, people, commit):
        intake = ingest(load_eml("forwarded.eml"), commit)
        ticket = Ticket.objects.get(pk=intake.ticket_id)
        assert ticket.requester == people.dave and ticket.subject == "Fwd: Your licence expires in 7 days"
        assert ticket.description.startswith("Can you renew this before Friday?")
        assert "Your licence ABC-123-XYZ for 25 seats expires on 20 March 2026." in ticket.description

    def test_an_executable_is_refused_but_the_message_is_taken_in_with_a_note(self, people, commit):
        intake = ingest(load_eml("executable.eml"), commit)
        ticket = Ticket.objects.get(pk=intake.ticket_id)
        assert intake.outcome == "created"
        assert attachment_names(ticket=ticket) == ["notes.txt"]
        assert ticket.description.startswith("Please open the attached invoice today.")
        assert "[Attachment not accepted: invoice.pdf is a program or script" in ticket.description

    def test_an_inline_image_is_attached(self, people, commit):
        intake = ingest(load_eml("inline_image.eml"), commit)
        ticket = Ticket.objects.get(pk=intake.ticket_id)
        assert attachment_names(ticket=ticket) == ["screen.png"]
        assert ticket.description == "The screen shows this: [image: screen.png]"


class TestIdempotency:
    def test_the_same_message_twice_makes_one_ticket(self, people, commit, mailoutbox):
        raw = load_eml("html_only.eml")
        first, second = ingest(raw, commit), ingest(raw, commit)
        assert (first.outcome, second.outcome) == ("created", "duplicate")
        assert Ticket.objects.count() == 1 and len(mailoutbox) == 1

    def test_the_same_reply_twice_posts_once(self, people, tk, commit):
        raw = load_eml("outlook_reply.eml", number=tk.pk)
        assert [ingest(raw, commit).outcome for _ in range(2)] == ["replied", "duplicate"]
        assert len(messages(tk)) == 2

    def test_a_message_without_message_id_is_still_taken_in_once(self, people, commit):
        raw = compose(subject="No id").replace(b"Message-ID:", b"X-Old-Message-ID:")
        assert [ingest(raw, commit).outcome for _ in range(2)] == ["created", "duplicate"]


class TestReplyMatching:
    def test_the_reply_tag_alone_finds_the_ticket(self, people, tk, commit):
        address = reply_address(tk.pk)
        intake = ingest(compose(to=address, subject="Something else entirely"), commit)
        assert (intake.outcome, intake.ticket_id) == ("replied", tk.pk)

    def test_a_forged_reply_tag_is_not_trusted(self, people, tk, commit):
        forged = f"help+t{tk.pk}-00000000@desk.example.com"
        intake = ingest(compose(to=forged, sender="erin@example.com", subject="Let me in"), commit)
        assert intake.outcome == "created" and intake.ticket_id != tk.pk
        assert len(messages(tk)) == 1

    def test_in_reply_to_one_of_our_messages_finds_the_ticket(self, people, tk, commit):
        raw = compose(subject="Re: hm", headers={"In-Reply-To": notification_id(tk)})
        assert ingest(raw, commit).ticket_id == tk.pk

    def test_references_to_the_thread_root_find_the_ticket(self, people, tk, commit):
        raw = compose(subject="Re: hm", headers={"References": f"<x@example.com> {thread_root(tk.pk)}"})
        assert ingest(raw, commit).ticket_id == tk.pk

    def test_a_follow_up_to_the_customers_own_first_email_finds_its_ticket(self, people, commit):
        first = ingest(compose(sender="frank@example.org", message_id="<first@example.org>"), commit)
        raw = compose(
            sender="frank@example.org", subject="Forgot", headers={"In-Reply-To": "<first@example.org>"}
        )
        assert ingest(raw, commit).ticket_id == first.ticket_id

    def test_the_subject_number_counts_for_a_participant(self, people, tk, commit):
        copy_in(tk, people.erin)
        raw = compose(sender="erin@example.com", subject=f"Re: [#{tk.pk}] Printer")
        assert ingest(raw, commit).ticket_id == tk.pk

    def test_the_subject_number_of_a_stranger_opens_a_new_ticket(self, people, tk, commit):
        intake = ingest(compose(sender="erin@example.com", subject=f"Re: [#{tk.pk}] Printer"), commit)
        assert intake.outcome == "created" and intake.ticket_id != tk.pk
        assert len(messages(tk)) == 1

    def test_a_stranger_replying_through_the_tag_is_kept_but_not_posted(self, people, tk, commit):
        intake = ingest(compose(sender="erin@example.com", to=reply_address(tk.pk)), commit)
        assert intake.outcome == "refused:not-a-party" and len(messages(tk)) == 1
        assert "erin@example.com is not on ticket" in FailedInboundMessage.objects.get().error


class TestReplyRules:
    def test_a_staff_address_posts_as_staff(self, people, tk, commit, mailoutbox):
        ingest(compose(sender="Bob Agent <bob@example.com>", to=reply_address(tk.pk), body="On it."), commit)
        reply = messages(tk)[-1]
        assert reply.author == people.bob and not reply.internal and reply.body == "On it."
        assert [m.to for m in mailoutbox] == [["dave@example.com"]]

    def test_a_reply_inside_the_window_reopens_a_resolved_ticket(self, people, tk, commit):
        with time_machine.travel(T0, tick=False):
            resolve(tk, people.bob)
        with time_machine.travel(T0.replace(day=4), tick=False):
            intake = ingest(compose(to=reply_address(tk.pk), body="Still broken"), commit)
        ticket = fresh(tk)
        assert intake.outcome == "replied"
        assert ticket.status == status("new") and ticket.reopened

    def test_a_reply_to_a_closed_ticket_is_refused_with_a_polite_email(self, people, tk, commit, mailoutbox):
        actions.close_ticket(ticket=tk, actor=people.bob)
        mailoutbox.clear()
        raw = compose(to=reply_address(tk.pk), body="Again!", message_id="<again@example.com>")
        intake = ingest(raw, commit)
        assert intake.outcome == "refused:closed" and len(messages(tk)) == 1
        (refusal,) = mailoutbox
        assert refusal.to == ["dave@example.com"]
        assert refusal.extra_headers["Auto-Submitted"] == "auto-replied"
        assert refusal.extra_headers["In-Reply-To"] == "<again@example.com>"
        assert f"[#{tk.pk}]" not in refusal.subject and "write a new email" in refusal.body
        assert refusal.reply_to == [] or "+t" not in refusal.reply_to[0]

    def test_an_auto_reply_to_a_closed_ticket_gets_no_answer(self, people, tk, commit, mailoutbox):
        actions.close_ticket(ticket=tk, actor=people.bob)
        mailoutbox.clear()
        raw = compose(to=reply_address(tk.pk), headers={"Auto-Submitted": "auto-replied"})
        assert ingest(raw, commit).outcome == "ignored:auto-submitted" and mailoutbox == []

    def test_a_reply_to_a_spam_ticket_is_dropped(self, people, tk, commit, mailoutbox):
        actions.mark_spam(ticket=tk, actor=people.bob)
        intake = ingest(compose(to=reply_address(tk.pk)), commit)
        assert intake.outcome == "ignored:ticket-hidden" and len(messages(tk)) == 1 and mailoutbox == []


class TestNewTickets:
    def test_an_unknown_sender_becomes_a_customer(self, people, commit):
        intake = ingest(compose(sender="Zoe New <Zoe@Example.org>", subject="Help"), commit)
        zoe = user("zoe@example.org")
        assert zoe.role == Role.CUSTOMER and zoe.name == "Zoe New" and not zoe.has_usable_password()
        assert Ticket.objects.get(pk=intake.ticket_id).requester == zoe

    def test_the_category_follows_the_address_written_to(self, people, commit):
        billing = CategoryFactory(name="Billing")
        InboundAddress.objects.create(email="Billing@desk.example.com", default_category=billing)
        intake = ingest(compose(to="billing@desk.example.com", subject="Invoice"), commit)
        assert Ticket.objects.get(pk=intake.ticket_id).category == billing

    def test_an_unknown_desk_address_takes_the_first_address_category(self, people, commit):
        intake = ingest(compose(to="someone@elsewhere.example", subject="Invoice"), commit)
        assert Ticket.objects.get(pk=intake.ticket_id).category == people.category

    def test_a_staff_member_writing_in_opens_an_internal_ticket(self, people, commit):
        intake = ingest(compose(sender="bob@example.com", subject="New laptop"), commit)
        assert Ticket.objects.get(pk=intake.ticket_id).requester == people.bob

    def test_the_signature_is_cut_from_a_new_ticket(self, people, commit):
        intake = ingest(compose(body="Help please\n\n-- \nDave\n+1 555 0100"), commit)
        assert Ticket.objects.get(pk=intake.ticket_id).description == "Help please"

    def test_an_empty_subject_and_body_still_make_a_ticket(self, people, commit):
        intake = ingest(compose(subject="", body=""), commit)
        ticket = Ticket.objects.get(pk=intake.ticket_id)
        assert (ticket.subject, ticket.description) == ("(no subject)", "(no text)")

    def test_a_disabled_account_cannot_write_in(self, people, commit):
        people.erin.is_active = False
        people.erin.save()
        intake = ingest(compose(sender="erin@example.com"), commit)
        assert intake.outcome == "refused:inactive" and not Ticket.objects.exists()
        assert FailedInboundMessage.objects.count() == 1


class TestLoops:
    @pytest.mark.parametrize(
        "headers",
        [
            {"Auto-Submitted": "auto-generated"},
            {"Auto-Submitted": "auto-replied"},
            {"Precedence": "bulk"},
            {"Precedence": "junk"},
            {"Precedence": "list"},
            {"X-Auto-Response-Suppress": "All"},
            {"Return-Path": "<>"},
        ],
    )
    def test_automatic_mail_creates_nothing(self, people, commit, mailoutbox, headers):
        intake = ingest(compose(sender="robot@example.org", headers=headers), commit)
        assert intake.outcome.startswith("ignored:")
        assert not Ticket.objects.exists() and mailoutbox == []

    @pytest.mark.parametrize(
        "sender",
        ["MAILER-DAEMON@mx.example.org", "postmaster@example.org", DESK, "help+t1-abcdef12@desk.example.com"],
    )
    def test_mail_from_daemons_and_the_desk_itself_creates_nothing(self, people, commit, sender):
        intake = ingest(compose(sender=sender), commit)
        assert intake.outcome.startswith("ignored:") and not Ticket.objects.exists()

    def test_auto_submitted_no_is_a_person(self, people, commit):
        intake = ingest(compose(headers={"Auto-Submitted": "no"}), commit)
        assert intake.outcome == "created"

    def test_a_sender_is_capped_per_hour(self, people, commit, settings, monkeypatch):
        # A cache of this test's own: under xdist another worker's cache.clear() (the autouse
        # fixture) empties the shared Redis database at any moment.
        monkeypatch.setattr("tickets.ratelimit.cache", LocMemCache("mail-loops-test", {}))
        settings.INBOUND_SENDER_HOURLY_LIMIT = 3
        with time_machine.travel(T0, tick=False):
            outcomes = [ingest(compose(sender="chatty@example.org"), commit).outcome for _ in range(4)]
            other = ingest(compose(sender="quiet@example.org"), commit).outcome
        assert outcomes == ["created"] * 3 + ["ignored:rate-limited"] and other == "created"
        with time_machine.travel(T0.replace(hour=T0.hour + 1), tick=False):
            assert ingest(compose(sender="chatty@example.org"), commit).outcome == "created"


class TestNothingIsLost:
    def test_unparseable_bytes_are_kept(self, people, commit):
        intake = ingest(b"\x00\x01 not an email", commit)
        failed = FailedInboundMessage.objects.get()
        assert intake.outcome == "failed" and bytes(failed.raw) == b"\x00\x01 not an email"

    def test_a_message_the_actions_refuse_is_kept_raw(self, people, commit):
        TicketTypeFactory(category=people.category)  # the category now needs a type: email gives none
        raw = compose(subject="Needs a type")
        intake = ingest(raw, commit)
        assert intake.outcome == "refused:invalid" and not Ticket.objects.exists()
        failed = FailedInboundMessage.objects.get()
        assert bytes(failed.raw) == raw and "Choose a type" in failed.error

    def test_a_crash_while_writing_keeps_the_message_and_writes_nothing(self, people, commit, monkeypatch):
        def explode(**kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr("tickets.mail.ingest.create_ticket", explode)
        raw = compose(subject="Unlucky")
        assert ingest(raw, commit).outcome == "failed"
        assert not InboundEmail.objects.exists() and not Ticket.objects.exists()
        failed = FailedInboundMessage.objects.get()
        assert failed.error == "RuntimeError: disk full"
        monkeypatch.undo()
        with commit():
            assert retry_failed(failed).outcome == "created"
        assert not FailedInboundMessage.objects.exists() and Ticket.objects.count() == 1

    def test_a_kept_stranger_reply_goes_in_once_they_are_copied_in(self, people, tk, commit):
        ingest(compose(sender="erin@example.com", to=reply_address(tk.pk), body="Me too"), commit)
        copy_in(tk, people.erin, actor=people.bob)
        with commit():
            assert retry_failed(FailedInboundMessage.objects.get()).outcome == "replied"
        assert messages(tk)[-1].body == "Me too" and not FailedInboundMessage.objects.exists()


class TestIngestCommand:
    def run(self, raw: bytes, monkeypatch, commit) -> str:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        out = io.StringIO()
        with commit():
            call_command("ingest_email", stdout=out)
        return out.getvalue().strip()

    def test_a_piped_message_becomes_a_ticket(self, people, commit, monkeypatch):
        output = self.run(load_eml("latin1.eml"), monkeypatch, commit)
        ticket = Ticket.objects.get()
        assert output == f"created #{ticket.pk}"

    def test_garbage_exits_zero_and_is_kept(self, people, commit, monkeypatch):
        assert self.run(b"", monkeypatch, commit) == "failed"
        assert FailedInboundMessage.objects.get().source == "pipe"

    def test_a_database_failure_asks_the_mail_server_to_retry(self, people, commit, monkeypatch):
        def down(raw, source):
            raise ConnectionError("database unreachable")

        monkeypatch.setattr("tickets.management.commands.ingest_email.ingest_email", down)
        with pytest.raises(SystemExit) as exited:
            self.run(compose(), monkeypatch, commit)
        assert exited.value.code == 75


class TestParsing:
    def test_a_reply_prefers_the_plain_text_alternative(self):
        parsed = parse_email(load_eml("gmail_reply.eml", number=1, reply_address=DESK))
        assert not parsed.from_html and parsed.text.startswith("Thanks, the new fuse did it.")

    def test_thread_ids_put_in_reply_to_first(self):
        raw = compose(headers={"In-Reply-To": "<b@x>", "References": "<root@x> <a@x> <b@x>"})
        assert parse_email(raw).thread_ids == ["<b@x>", "<a@x>", "<root@x>"]

    def test_an_unknown_charset_falls_back_without_failing(self):
        raw = compose(body="caf\u00e9").replace(b'charset="utf-8"', b'charset="x-unknown"')
        assert parse_email(raw).text.startswith("caf")

    def test_a_customer_with_a_staff_lookalike_address_is_a_customer(self, people, commit):
        make_user(Role.CUSTOMER, email="bob@example.org")
        intake = ingest(compose(sender="bob@example.org"), commit)
        assert Ticket.objects.get(pk=intake.ticket_id).requester.role == Role.CUSTOMER


class TestHtmlToText:
    def test_paragraphs_lists_and_emphasis_become_markdown(self):
        html = "<p>Hi <em>there</em></p><ol><li>one</li><li>two</li></ol><p>a<br>b</p>"
        assert html_to_text(html) == "Hi *there*\n\n1. one\n2. two\n\na\nb"

    def test_markdown_characters_in_text_are_escaped(self):
        assert html_to_text("<p>2 * 3 = 6, file_name [x]</p><p># not a heading</p>") == (
            "2 \\* 3 = 6, file\\_name \\[x\\]\n\n\\# not a heading"
        )

    def test_unsafe_links_keep_only_their_text(self):
        html = '<a href="javascript:alert(1)">click</a> <a href="mailto:a@b.c">mail</a>'
        assert html_to_text(html) == "click [mail](mailto:a@b.c)"

    def test_quotes_become_quoted_lines_and_pre_a_code_block(self):
        html = "<p>Yes</p><blockquote><p>Old</p><p>Older</p></blockquote><pre>a  b\n  c</pre>"
        assert html_to_text(html) == "Yes\n\n> Old\n>\n> Older\n\n```\na  b\n  c\n```"

    def test_scripts_styles_and_the_head_are_dropped(self):
        html = "<head><title>T</title><style>p{}</style></head><script>x()</script><p>Body</p>"
        assert html_to_text(html) == "Body"


class TestTrimReply:
    @pytest.mark.parametrize(
        "history",
        [
            "On Mon, 2 Mar 2026 at 09:00, Help Desk <help@desk.example.com> wrote:\n> old",
            "On Mon, 2 Mar 2026 at 09:00, Help Desk <\nhelp@desk.example.com> wrote:\n> old",
            "-----Original Message-----\nFrom: Help Desk\nSent: Monday\nold",
            "________________________________\nFrom: Help Desk <help@desk.example.com>\nSent: Monday",
            "From: Help Desk <help@desk.example.com>\nSent: Monday, March 2, 2026 9:00\nTo: Dave",
            "Le lun. 2 mars 2026 à 09:00, Help Desk <help@desk.example.com> a écrit :\n> ancien",
            "Am Mo., 2. März 2026 um 09:00 Uhr schrieb Help Desk <help@desk.example.com>:\n> alt",
        ],
    )
    def test_the_quoted_history_is_cut(self, history):
        assert trim_reply(f"New text\n\n{history}\nmore old text") == "New text"

    def test_quoted_lines_signature_and_phone_footer_are_cut(self):
        text = "> quoted\nAnswer\n> more quoted\n\nSent from my iPhone"
        assert trim_reply(text) == "Answer"
        assert trim_reply("Answer\n-- \nDave\nPhone 555") == "Answer"

    def test_a_reply_that_is_all_quote_is_kept_whole(self):
        assert trim_reply("> only a quote") == "> only a quote"

    def test_a_line_merely_starting_with_on_is_kept(self):
        assert trim_reply("On Monday the printer works.\nThanks") == "On Monday the printer works.\nThanks"


class TestAdmin:
    def test_failed_messages_are_listed_shown_and_taken_in_again(self, people, commit, client, monkeypatch):
        monkeypatch.setattr("tickets.mail.ingest.create_ticket", lambda **kw: 1 / 0)
        ingest(compose(subject="Kept for later"), commit)
        monkeypatch.undo()
        failed = FailedInboundMessage.objects.get()
        client.force_login(people.alice)
        listing = client.get("/admin/tickets/failedinboundmessage/")
        assert listing.status_code == 200 and b"ZeroDivisionError" in listing.content
        page = client.get(f"/admin/tickets/failedinboundmessage/{failed.pk}/change/")
        assert page.status_code == 200 and b"Subject: Kept for later" in page.content
        with commit():
            client.post(
                "/admin/tickets/failedinboundmessage/",
                {"action": "take_in_again", "_selected_action": [failed.pk]},
            )
        assert Ticket.objects.get().subject == "Kept for later"
        assert not FailedInboundMessage.objects.exists()

    @pytest.mark.parametrize("model", ["inboundemail", "outboundemail", "inboundaddress"])
    def test_the_mail_models_are_in_the_admin(self, people, commit, client, model):
        ingest(load_eml("latin1.eml"), commit)
        client.force_login(people.alice)
        assert client.get(f"/admin/tickets/{model}/").status_code == 200

    def test_staff_without_admin_rights_cannot_see_them(self, people, client):
        client.force_login(people.bob)
        assert client.get("/admin/tickets/failedinboundmessage/").status_code == 302
