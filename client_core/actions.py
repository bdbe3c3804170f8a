"""What the parties can do: the seller's and the TikTok app's actions, declared once.

The catalogue of what a client can ask linksim to do. Two sides carry an action out: a scenario over HTTP
(``auth_server.scenarios.steps``, with the seller's tool and the app stub), the command line on the domain service
(``auth_server.cli.steps``). The scenario schema, the command line's arguments, options and help, and the action
tables of docs/scenarios.md are made from these declarations. An action may exist on one side only:
``in_scenarios=False``, or no ``command``.

Each side has a default run, derived from the declaration: it calls the method named ``service`` (the command line)
or ``client`` (a scenario: the :class:`SellerClient` or :class:`TikTokApp` method), both the action's name unless
told, with the required parameters in declared order (the open id of the holder whose app acts first, on the
service) and the optional ones given by keyword; a parameter that names an account is resolved to its open id
first. The command line prints the answer as ``text`` says (a format string on its fields), the scenario answers
its JSON. A side binds a run of its own where an action does more.

Adding an operation: the domain service's method, its route (and its entry in openapi.yaml), the client's method,
and its declaration here; then ``make docs`` rewrites docs/scenarios.md's tables.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

Actor = Literal["seller", "app"]
ParamKind = Literal["string", "boolean", "strings"]
HOLDER = "as"  # the app's actions act on the phone of the account a scenario names as `as`


@dataclass(frozen=True)
class Param:
    kind: ParamKind
    doc: str
    required: bool = False
    account: bool = False  # names an account (a username or an open id): a default run passes its open id


@dataclass(frozen=True)
class Argument:
    """A positional argument of a command: the parameter it fills, and its name there (``shop_id``: SHOP_ID)."""

    param: str
    name: str
    choices: Mapping[str, Any] | None = None  # each choice and the parameter's value for it
    metavar: str | None = None  # how the help names it, when not NAME


@dataclass(frozen=True)
class Option:
    """An option of a command: the parameter it fills, spelled ``flag`` there."""

    param: str
    flag: str
    help: str | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None  # shown in the help
    multiple: bool = False  # a list, one value per use
    sets: bool | None = None  # a flag: the parameter's value when it is given (``--decline`` sets ``accepted``)


@dataclass(frozen=True)
class Command:
    """How a command line offers an action: ``PATH ARGUMENTS [OPTIONS]``, with its help, and how it shows the
    answer in plain text: ``text``, a format string on the result's fields (else the tool's own view of it)."""

    path: tuple[str, ...]
    help: str | None
    arguments: tuple[Argument, ...] = ()
    options: tuple[Option, ...] = ()
    text: str | None = None


@dataclass(frozen=True)
class Action:
    """One thing an actor can do: its parameters (as a scenario file names them) and where it is offered."""

    actor: Actor
    name: str
    doc: str
    params: dict[str, Param] = field(default_factory=dict)
    command: Command | None = None  # `linksim PATH ...`, on the domain service
    in_scenarios: bool = True
    service: str | None = None  # the domain service's method a default run calls (default: the action's name)
    client: str | None = None  # the SellerClient's or TikTokApp's method a default run calls (default: the name)
    docs: str | None = None  # its row in docs/scenarios.md, where that says more than ``doc`` (Markdown)
    tool: Command | None = None  # `linksim seller PATH ...` or `linksim app PATH ...`: the actor's own tool, over HTTP

    @property
    def required(self) -> list[str]:
        return [name for name, param in self.params.items() if param.required]

    @property
    def service_method(self) -> str:
        return self.service or self.name

    @property
    def client_method(self) -> str:
        return self.client or self.name


ACTIONS: dict[tuple[Actor, str], Action] = {}


def _declare(actor: Actor, name: str, doc: str, /, *, command: Command | None = None, in_scenarios: bool = True,
             service: str | None = None, client: str | None = None, docs: str | None = None,
             tool: Command | None = None, **params: Param) -> None:
    ACTIONS[actor, name] = Action(actor, name, doc, params, command, in_scenarios, service, client, docs, tool)


def actions_of(actor: Actor, *, scenarios: bool = False) -> dict[str, Action]:
    """The actor's actions by name, in the order declared (only those scenarios offer, if ``scenarios``)."""
    return {a.name: a for a in ACTIONS.values() if a.actor == actor and (a.in_scenarios or not scenarios)}


def call_by_convention(action: Action, method: Callable[..., Any], params: Mapping[str, Any],
                       open_id: Callable[[str], str], *leading: Any) -> Any:
    """Call ``method`` as a default run does: ``leading``, then the required parameters in declared order while it
    takes them by position, the rest (when given) by keyword; a parameter that names an account as its open id."""
    positional = [p for p in inspect.signature(method).parameters.values()
                  if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    args: list[Any] = list(leading)
    kwargs: dict[str, Any] = {}
    given = [name for name in action.required if name in params]
    given += [name for name, param in action.params.items() if not param.required and name in params]
    for name in given:
        value = params[name]
        if action.params[name].account and value is not None:
            value = open_id(value)
        if action.params[name].required and not kwargs and len(args) < len(positional):
            args.append(value)
        else:
            kwargs[name] = value
    return method(*args, **kwargs)


def _command(path: str, help: str | None, *arguments: Argument, options: tuple[Option, ...] = (),
             text: str | None = None) -> Command:
    return Command(tuple(path.split()), help, arguments, options, text)


def _arg(param: str, name: str | None = None, choices: Mapping[str, Any] | None = None,
         metavar: str | None = None) -> Argument:
    return Argument(param, name or param, choices, metavar)


def _text(doc: str, required: bool = False) -> Param:
    return Param("string", doc, required)


def _flag(doc: str) -> Param:
    return Param("boolean", doc)


def _names(doc: str) -> Param:
    return Param("strings", doc)


SHOP = _text("the shop's id", required=True)
LINK = _text("the link's id (usually `${saved.link_id}`)", required=True)
ACCOUNT = Param("string", "the account: a username the data gives it (even after a link renamed it), or an open id",
                required=True, account=True)
INVITATION = _text("the invitation's id", required=True)

_SHOP_ID = _arg("shop", "shop_id")
_LINK_ID = _arg("link", "link_id")
_INVITATION_ID = _arg("invitation", "invitation_id")
_THE_ACCOUNT = _arg("account")
_THE_HOLDER = _arg(HOLDER, "account")  # on the command line, the holder whose app acts is named like any account
_NAMED_INVITATION = Option("invitation_id", "--id", "Name the invitation (default: a random id).")
_APPROVE_OR_REJECT = _arg("approve", "decision", {"approve": True, "reject": False})
_ACCEPT_OR_DECLINE = _arg("accept", "decision", {"accept": True, "decline": False})
_LINK_STATE = "link {link_id}: {state.value}"
# the seller's tool (`linksim seller`) names them so
_SHOP = _arg("shop")
_LINK = _arg("link", "link_id", metavar="LINK")
_OPEN_ID = _arg("account", metavar="OPEN_ID")


# --- the seller --------------------------------------------------------------------------------------------------

_declare(
    "seller", "start_official_link", "Show a QR code (via qr), or send a request to an app (via app)",
    docs="Show a QR code (`via: qr`, the default), or send a request to the app of `username` (`via: app`, "
         "with `agreed`, default true)",
    shop=SHOP, via=_text("qr (default) or app"), username=_text("via app: the account the seller names"),
    agreed=_flag("via app: the seller ticked the agreement (default true)"),
    link_id=_text("name the link (default: made up)"),
    command=_command("start", "Step by step: the seller starts an official link (then `scan`, `consent`, `terms`).",
                     _SHOP_ID, options=(Option("via", "--via", choices=("qr", "app"), default="qr"),
                                        Option("username", "--account",
                                               "With --via app: the username the seller types."),
                                        Option("link_id", "--id", "Name the link (default: a random id)."))),
)
_declare(
    "seller", "get_link", "Look at a link", link=LINK,
    tool=_command("link", "Show a link: its state, the consent status, the QR code's URL while it waits.", _LINK),
)
_declare(
    "seller", "accept_terms", 'Agree to the terms and click "Link This Account" (or decline them)',
    docs='Agree to the terms and click "Link This Account" (`accepted: false` declines them)',
    link=LINK, accepted=_flag("false declines the terms (default true)"),
    command=_command("terms", 'Step by step: the seller agrees to the terms and clicks "Link This Account"; '
                     "the review starts.",
                     _LINK_ID, options=(Option("accepted", "--decline", "Do not accept the terms.", sets=False),),
                     text=_LINK_STATE),
    tool=_command("terms", "Agree to the terms of a consented LINK and link the account; the review starts.", _LINK,
                  options=(Option("accepted", "--decline", "Decline the terms instead (refused: terms_not_accepted).",
                                  sets=False),)),
)
_declare(
    "seller", "link_token", "Fetch the seller's token of an established link (E4)",
    docs="Fetch the seller's token of an established link (E4): a user token of the linked account, the same on "
         "every call; `link_not_active` before the link is active",
    link=LINK,
    tool=_command("token", "Show the seller's token of LINK once it is active (E4): a user token of the linked "
                  "account, scoped to what the seller sees.", _LINK,
                  text="{access_token} (open id {open_id}, scope {scope}, expires in {expires_in} s)"),
)
_declare(
    "seller", "decide_review", "Decide a review by hand",
    link=LINK, approve=Param("boolean", "true approves, false rejects", required=True),
    command=_command("review", "Decide the review of a link that waits in pending review.",
                     _LINK_ID, _APPROVE_OR_REJECT, text=_LINK_STATE),
    tool=_command("review", "Decide the review of LINK by hand (approve or reject).", _LINK, _APPROVE_OR_REJECT),
)
_declare(
    "seller", "create_organization_account",
    "Create an organization account for the seller's entity, linked as the official account",
    shop=SHOP, username=_text("the new account's username", required=True), nickname=_text("its nickname"),
    email=_text("its email"), phone=_text("its phone"), members=_names("who may sign in by passcode"),
    command=_command("org create", "Create an organization account for SHOP_ID's seller and link it as the "
                     "official account.",
                     _SHOP_ID, _arg("username"),
                     options=(Option("email", "--email"), Option("phone", "--phone"),
                              Option("members", "--member", "A member's email or phone (repeat).", multiple=True))),
)
_declare(
    "seller", "linked_accounts", 'What the seller sees under "Linked TikTok accounts"',
    docs='What the seller sees under "Linked TikTok accounts": `{shop_id, official, marketing}`',
    shop=SHOP,
    command=_command("linked", "What the seller sees under Linked TikTok accounts.", _SHOP_ID),
)
_declare(
    "seller", "unlink", "Unlink an account from the shop", shop=SHOP, account=ACCOUNT,
    command=_command("unlink", "Unlink ACCOUNT from SHOP_ID.", _SHOP_ID, _THE_ACCOUNT, text=_LINK_STATE),
    tool=_command("unlink", "Unlink OPEN_ID (or @username) from SHOP, once the market's waiting time has passed.",
                  _SHOP, _OPEN_ID, text="unlinked {open_id} from {shop_id} (link {link_id})"),
)
_declare(
    "seller", "rename_shop", "Rename the shop (its official account's name follows)",
    shop=SHOP, name=_text("the new name", required=True),
    command=_command("rename-shop", "Rename SHOP_ID; its official account's name follows.", _SHOP_ID, _arg("name"),
                     text="{shop_id} is now {name!r}"),
    tool=_command("rename", "Rename SHOP; its official account's name follows.", _SHOP, _arg("name"),
                  text="{shop_id} is now called {name!r}"),
)
_declare(
    "seller", "search_accounts", "Search accounts by username or nickname; answers {accounts, count}",
    docs="Search accounts by username or nickname; answers `{accounts, count}`",
    query=_text("a username (with or without @) or a nickname", required=True),
    command=_command("search", "Search accounts by username or nickname, as the seller does before inviting.",
                     _arg("query")),
)
_declare(
    "seller", "marketing_criteria", "Check whether an account may be invited as a marketing account",
    docs="Whether an account may be invited as a marketing account: `{eligible, violations}`",
    shop=SHOP, account=ACCOUNT,
)
_declare(
    "seller", "invite_marketing_account", "Invite an account to be a marketing account",
    shop=SHOP, account=ACCOUNT, invitation_id=_text("name the invitation (default: made up)"),
    command=_command("invite", "Check the criteria and send ACCOUNT a marketing invitation from SHOP_ID (answer it "
                     "with `answer`).", _SHOP_ID, _THE_ACCOUNT, options=(_NAMED_INVITATION,),
                     text="invitation {invitation_id} sent; expires {expires_at}"),
    tool=_command("invite", "Invite OPEN_ID (or @username) to be SHOP's marketing account; it answers in the app.",
                  _SHOP, _OPEN_ID),
)
_declare(
    "seller", "get_invitation", "Look at an invitation", invitation=INVITATION,
    tool=_command("invitation", "Show an invitation: pending, accepted, declined or expired.",
                  _arg("invitation", "invitation_id", metavar="ID")),
)
_declare(
    "seller", "link_organization_account", "Link an existing organization account as the shop's official account",
    shop=SHOP, account=ACCOUNT, in_scenarios=False,
    command=_command("link organization", "Link an existing organization ACCOUNT as the official account of "
                     "SHOP_ID.", _SHOP_ID, _THE_ACCOUNT, text=_LINK_STATE),
)
_declare(
    "seller", "remove_org_member", "Remove a member from an organization account",
    docs="Remove a member (`contact`, an email or phone) from an organization account: it can no longer sign in "
         "by passcode (`not_an_org_member`); answers `{open_id, contact, removed_at}`",
    account=ACCOUNT, contact=_text("the member's email or phone", required=True),
    command=_command("org remove-member", None, _THE_ACCOUNT, _arg("contact")),
    tool=_command("org-remove-member", "Remove CONTACT (an email or phone) from the organization account OPEN_ID; "
                  "it can no longer sign in by passcode.", _OPEN_ID, _arg("contact"),
                  text="{contact} removed from {open_id}"),
)
_declare(
    "seller", "invite_affiliate", "Invite an account to promote the shop's products for a commission",
    docs="Invite a creator to promote the shop's products for `commission_rate` percent (text, such as "
         '`"12.5"`); no slot, no quota, no link. It answers in the app (`accept`, `decline`)',
    shop=SHOP, account=ACCOUNT, commission_rate=_text("the commission in percent", required=True),
    invitation_id=_text("name the invitation (default: made up)"),
    command=_command("affiliate invite", "Invite ACCOUNT to promote SHOP_ID's products for COMMISSION_RATE percent.",
                     _SHOP_ID, _THE_ACCOUNT, _arg("commission_rate"), options=(_NAMED_INVITATION,),
                     text="affiliate invitation {invitation_id} sent"),
    tool=_command("affiliate-invite", "Invite OPEN_ID (or @username) to promote SHOP's products for COMMISSION_RATE "
                  "percent; it answers in the app.", _SHOP, _OPEN_ID, _arg("commission_rate"),
                  text="affiliate invitation {invitation_id} sent to {open_id} ({commission_rate}%)"),
)

_declare(
    "seller", "get_affiliate_invitation", "Look at an affiliate invitation", invitation=INVITATION,
    tool=_command("affiliate-invitation", "Show an affiliate invitation: pending, accepted, declined or expired.",
                  _arg("invitation", "invitation_id", metavar="ID"),
                  text="affiliate invitation {invitation_id} to {open_id}: {state} ({commission_rate}%)"),
)


# --- the app on a holder's phone ---------------------------------------------------------------------------------

_declare(
    "app", "sign_in", "Sign in with a password (every other action signs in on first use)",
    docs="Sign in with a password (defaults: the holder's name and the data's password)",
    username=_text("default: the holder's name (`as`)"),
    password=_text("default: the data's password for the account"),
    command=_command("sign-in", "Sign in to the TikTok app with a password.", _arg("username"), _arg("password")),
)
_declare(
    "app", "request_passcode", 'An organization member\'s "get OTP"; answers {passcode}',
    docs='An organization member\'s "get OTP"; answers `{passcode}`',
    contact=_text("the member's email or phone", required=True),
    username=_text("the organization account (default: the holder's name)"),
    command=_command("org passcode", "'get OTP': send a one-time passcode to CONTACT, a member of the organization "
                     "account.", _arg("username", "account"), _arg("contact")),
)
_declare(
    "app", "sign_in_with_passcode", "Sign in as an organization member (asks for a passcode unless given)",
    docs="Sign in as an organization member (asks for a passcode unless given one)",
    contact=_text("the member's email or phone", required=True), passcode=_text("default: a fresh one"),
    username=_text("the organization account (default: the holder's name)"),
    command=_command("org sign-in", "Sign in to an organization account with a one-time passcode.",
                     _arg("username", "account"), _arg("contact"), _arg("passcode")),
)
_declare("app", "sign_out", "Sign out of the app", docs="Sign out")
_declare(
    "app", "me", "The signed-in account as the app shows it",
    docs="The signed-in account as the app shows it (type, verification, names, ...)",
    tool=_command("whoami", "The account the app is signed in to."),
)
_declare(
    "app", "scan", "Scan a QR code: the one the seller shows for a link, or a URL given as it is",
    docs="Scan the QR code the seller shows for `link` (the code as it was first shown: a second phone "
         "scanning it later scans the same code), or `scan_url`, a URL given as it is",
    link=_text("the link whose QR code the seller shows"), scan_url=_text("what the QR code encodes"),
    command=_command("scan", "Step by step: ACCOUNT scans the QR code of LINK_ID in the app.", _LINK_ID, _THE_HOLDER),
)
_declare(
    "app", "authorize", "Tap Authorize on the last scanned consent screen",
    docs="Tap Authorize on this phone's last consent screen (default: every permission shown stays on)",
    permissions=_names("the permissions left on (default: every one shown)"),
)
_declare("app", "deny", "Tap Cancel on the last scanned consent screen", docs="Tap Cancel on it")
_declare(
    "app", "consent", "Tap Authorize (or Cancel) on the link's consent screen",
    link=LINK, authorize=_flag("false taps Cancel (default true)"),
    permissions=_names("the permissions left on (default: every one shown)"), in_scenarios=False,
    command=_command("consent", "Step by step: ACCOUNT authorizes (or cancels) the link in the app.",
                     _LINK_ID, _THE_HOLDER,
                     options=(Option("authorize", "--deny", "Tap Cancel instead of Authorize.", sets=False),
                              Option("permissions", "--permission", "A toggle turned on (repeat; default: all).",
                                     multiple=True))),
)
_declare(
    "app", "inbox", "What waits in the inbox: {requests, invitations, affiliate_invitations}",
    docs="`{requests, invitations, affiliate_invitations}` waiting for the account",
)
_declare(
    "app", "answer_request", "Answer a Seller-app request: turn toggles on, then Continue (or Cancel)",
    docs="A Seller-app request: turn on the toggles (default: every one the inbox shows for it), then Continue "
         "(`proceed: false` is Cancel)",
    link=LINK, permissions=_names("the toggles turned on (default: every one the inbox shows for it)"),
    proceed=_flag("false taps Cancel (default true: Continue)"),
)
_declare(
    "app", "accept", "Accept an invitation (marketing or affiliate)", invitation=INVITATION,
    tool=_command("accept", "Accept a marketing or affiliate invitation.", _INVITATION_ID),
)
_declare(
    "app", "decline", "Decline an invitation", docs="Decline it", invitation=INVITATION,
    tool=_command("decline", "Decline a marketing or affiliate invitation.", _INVITATION_ID),
)
_declare(
    "app", "answer_invitation", "Accept or decline a marketing invitation",
    invitation=INVITATION, accept=Param("boolean", "true accepts, false declines", required=True),
    in_scenarios=False,
    command=_command("answer", "ACCOUNT accepts or declines an invitation in the app inbox.",
                     _INVITATION_ID, _THE_HOLDER, _ACCEPT_OR_DECLINE),
)
_declare(
    "app", "answer_affiliate_invitation", "Accept or decline an affiliate invitation",
    invitation=INVITATION, accept=Param("boolean", "true accepts, false declines", required=True),
    in_scenarios=False,
    command=_command("affiliate answer", None, _INVITATION_ID, _THE_HOLDER, _ACCEPT_OR_DECLINE),
)
_declare(
    "app", "start_verification", "Start identity verification",
    command=_command("verify", "The holder starts identity verification.", _THE_HOLDER,
                     text="@{username}: {verification.value}"),
    tool=_command("verify", "Start identity verification."),
)
_declare(
    "app", "profile", "The profile as the app shows it: storefronts (a Shop Page with its catalogue, or a showcase), "
                      "sales channels, whether the shopping bag shows yet, the showcase's products",
    docs="The profile as the app shows it: `storefronts` (each a `shop_page` with its `catalogue`, or a "
         "`showcase`; `sales_channels`; `shopping_bag_visible` and `shopping_bag_visible_from`) and the "
         "`showcase`'s product ids",
    command=_command("profile", "What ACCOUNT's TikTok profile shows: type, storefronts, the shopping bag.",
                     _THE_HOLDER),
    tool=_command("profile", "The profile: the Shop Page or showcase of each linked shop, its sales channels, "
                             "the shopping bag."),
)
_declare(
    "app", "rename", "Rename the account (an official account's name is locked: E2)",
    docs="Rename the account (an official account's name is locked: `official_name_locked`)",
    username=_text("the new username"), nickname=_text("the new nickname"), service="rename_account",
    command=_command("rename-account", "The holder renames ACCOUNT in the app.", _THE_HOLDER,
                     options=(Option("nickname", "--nickname"), Option("username", "--username")),
                     text="@{username} ({nickname})"),
)
_declare(
    "app", "affiliate_sign_up", "Sign up at the Affiliate Center (to show Product Marketplace products)",
    service="sign_up_affiliate", client="sign_up_affiliate",
    command=_command("affiliate sign-up", "ACCOUNT signs up at the Affiliate Center.", _THE_HOLDER,
                     text="@{username} signed up at the Affiliate Center"),
    tool=_command("affiliate-sign-up", "Sign up at the Affiliate Center, to show Product Marketplace products.",
                  text="@{username} is signed up at the Affiliate Center"),
)
_declare(
    "app", "showcase", "The products in the showcase: {items: [{product_id, source, added_at}]}",
    docs="The products in the showcase: `{items: [{product_id, source, added_at}]}`",
)
_declare(
    "app", "add_to_showcase", "Add a product to the showcase by hand",
    docs="Add a product by hand; answers `{product_id, source}` (`own_shop`, `affiliate_invitation` or "
         "`marketplace`)",
    product=_text("the product's id", required=True),
    command=_command("affiliate showcase-add", "ACCOUNT adds PRODUCT_ID to its showcase.",
                     _THE_HOLDER, _arg("product", "product_id"), text="{product_id} in the showcase ({source.value})"),
)
_declare(
    "app", "tag_product_in_video", "Post a video with a shop's product tagged in it (only linked to that shop: E3)",
    docs="Post a video with a shop's product tagged in it; answers `{video_id, product_id, shop_id}`. Only an account "
         "linked to the product's shop may (E3: `video_channel_locked`)",
    product=_text("the product's id", required=True),
    tool=_command("video-tag", "Post a video with PRODUCT_ID tagged in it (only an account linked to its shop may).",
                  _arg("product", "product_id"), text="video {video_id} tags {product_id} ({shop_id})"),
)
_declare(
    "app", "start_live", "Go LIVE, or mirror another account's LIVE",
    docs="Go LIVE, or mirror the LIVE of `mirror_of` (an account, named as `account` is for the seller); "
         "answers `{live, mirror_of}`",
    mirror_of=Param("string", "the account whose LIVE this one mirrors: a username the data gives it, or an open id",
                    account=True),
    command=_command("live start", None, _THE_HOLDER,
                     options=(Option("mirror_of", "--mirror-of", "The account whose LIVE this one mirrors."),)),
    tool=_command("live start", "Go LIVE, or mirror another account's LIVE.",
                  options=(Option("mirror_of", "--mirror-of", "The open id of the account whose LIVE to mirror."),)),
)
_declare(
    "app", "end_live", "End the LIVE",
    command=_command("live end", None, _THE_HOLDER), tool=_command("live end", "End the LIVE."),
)


def markdown_table(actor: Actor) -> str:
    """The actor's scenario actions as docs/scenarios.md tables them (scripts/update_scenario_docs.py)."""
    rows = ["| action | parameters | what it does |", "|---|---|---|"]
    for action in actions_of(actor, scenarios=True).values():
        params = ", ".join(f"`{name}`{'*' if param.required else ''}" for name, param in action.params.items())
        rows.append(f"| `{action.name}` | {params or '—'} | {action.docs or action.doc} |")
    return "\n".join(rows)
