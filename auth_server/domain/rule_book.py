"""Every rule of RULES.md by its id, each with what it allows and refuses, in one sentence.

The enforcing code names rules by these ids (``rules.Rule.ids``, each refusal code's ``rules``, the shipped
scenarios' ``rules``); docs/rules.md is made from this book and from that code (``linksim rules --markdown``), and
a test checks that every id the code names is here and that the page is current.
"""

from __future__ import annotations

RULE_BOOK: dict[str, str] = {
    # Official account (one per shop)
    "O1": "The shop must be approved and active, in a region its market allows; this holds for marketing links too.",
    "O2": "A shop has at most one official account at a time (a link waiting in review holds the slot).",
    "O3": "An account is the official account of one shop at a time: unlink it there first.",
    "O4": "The account's region must equal the shop's region (for the roles the market names: official).",
    "O5": "The account must have passed identity verification before the link succeeds.",
    "O6": "One account cannot be the official and a marketing account of the same shop.",
    "O7": "The account must be in good standing, and its holder old enough (18), for an official link.",
    "O8": "An organization account links only to a seller of its own entity, one seller at a time, and an existing "
          "creator account cannot become one.",
    "O9": "Web consent: the holder scans the seller's QR code while signed in and taps Authorize; the seller agrees to "
          "the terms and links; the link is then reviewed. An expired or used code, a denial or unaccepted terms "
          "end it.",
    "O10": "Seller-app consent: the seller names the username; the holder turns on every permission toggle in the app "
           "and continues.",
    "O11": "No follower minimum: any follower count may link.",
    # Marketing accounts (up to four per shop)
    "M1": "A shop has at most four marketing accounts (the market's slots).",
    "M2": "A shop in its probation period cannot link marketing accounts.",
    "M3": "An account can be linked as a marketing account at most 10 times in a rolling 180 days, across shops.",
    "M4": "A marketing account cannot be the official account of the same shop (as O6).",
    "M5": "The seller searches the account, the criteria are checked, the seller invites it, and it accepts in its "
          "inbox; an invitation can be declined or expire.",
    "M6": "A marketing account must have passed identity verification, as every link.",
    "M7": "A marketing account's names are its own: no name sync with the shop.",
    "M8": "A marketing account shows a showcase; Product Marketplace products only once signed up at the Affiliate "
          "Center.",
    "M9": "A marketing account can be unlinked only after the market's wait (24 h; 48 h in tokopedia).",
    "M10": "Where the market forbids it (tokopedia), official and marketing accounts may not run mirrored LIVE "
           "sessions at once.",
    # Unlinking an official account
    "U1": "An official account can be unlinked only 24 hours after its link became active.",
    "U2": "In the tokopedia market: 48 hours, and at most 3 official unbinds over the shop's life.",
    "U3": "Unlinking removes the Shop Page and stops the name sync; relinking may wait (the market's relink wait).",
    # Effects of a link
    "E1": "A linked account is upgraded to a Business Account (an organization account keeps its type).",
    "E2": "The official account's names follow the shop's name, at link time and at every rename; the holder cannot "
          "rename it.",
    "E3": "The official account gets a Shop Page with the catalogue, and its sales channels; the shopping bag may "
          "take up to 24 hours to show.",
    "E4": "Once the link is established, the seller sees the account's avatar, username, nickname, phone and binding "
          "time.",
    "E5": "An official account cannot show Product Marketplace (affiliate) products.",
}
