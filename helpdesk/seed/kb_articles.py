"""A starter knowledge base for the demo: the questions the demo tickets ask most."""

from __future__ import annotations

ARTICLES: list[tuple[str, str, list[str], bool, str]] = [
    ("Reset your password or unlock your account", "Forgot your password or locked out after too many tries.",
     ["password", "account", "locked"], True,
     "## If you forgot your password\n\n1. Open the sign-in page and choose **Forgot password**.\n"
     "2. Enter your work e-mail; the reset link arrives within 2 minutes (check *Junk*).\n"
     "3. Choose a new password of at least 12 characters.\n\n"
     "## If your account is locked\n\nAccounts unlock by themselves after **15 minutes**. If you changed your "
     "password recently, update it on your phone's mail app too: an old password there locks the account again."),
    ("Connect to the VPN from home", "Install and sign in to the VPN client; fix frequent disconnects.",
     ["vpn", "remote", "home"], True,
     "1. Install **GlobalConnect** from the Software Center.\n2. Sign in with your work e-mail and approve the "
     "MFA prompt.\n\n## The VPN drops every few minutes\n\n- Use a cable or sit closer to your router.\n"
     "- Turn off other VPN or proxy apps.\n- Restart the client after a Windows update."),
    ("Printer shows a paper jam but no paper is stuck", "Clear phantom paper-jam errors on the office printers.",
     ["printer", "paper jam", "printing"], False,
     "1. Open every tray and door and close them firmly.\n2. Switch the printer off for 30 seconds.\n"
     "3. Check the small rollers behind tray 2 for torn scraps.\n\nStill jammed? Report it with the printer's "
     "asset number (sticker on the front)."),
    ("Shared drive (S:) is missing", "Map the team shared drive again when it disappears.",
     ["shared drive", "storage", "network drive"], True,
     "1. Connect to the office network or the VPN.\n2. Open File Explorer, right-click **This PC**, choose "
     "**Map network drive**.\n3. Drive letter **S:**, folder `\\\\files\\teams`.\n\n"
     "If you get *access denied*, ask your manager to request access for you."),
    ("Mailbox full: free up space in Outlook", "Outlook says your mailbox is full and you cannot send.",
     ["outlook", "mailbox", "email", "storage"], False,
     "- Empty **Deleted Items** and **Junk**.\n- Search for `size:>5MB` and delete or save large attachments.\n"
     "- Turn on **Online Archive** (File > Tools > Mailbox Cleanup).\n\nMailboxes are 50 GB; archives are "
     "unlimited."),
    ("Request administrator rights to install software", "How to get software installed when it needs admin "
     "rights.", ["admin rights", "install", "software"], False,
     "Most software is in the **Software Center** and installs without admin rights.\n\nIf yours is not there, "
     "file a ticket in *Administrative rights* with the software name and why you need it; temporary rights "
     "are granted for 24 hours after approval."),
    ("Headset or microphone not detected in Teams", "Fix a microphone that Teams does not see.",
     ["teams", "microphone", "headset", "audio"], False,
     "1. Unplug the headset and plug it into another USB port.\n2. In Teams, open **Settings > Devices** and "
     "choose the headset as microphone and speaker.\n3. In Windows **Privacy > Microphone**, allow apps to use "
     "the microphone."),
    ("Order a new laptop, monitor or accessory", "Standard equipment and how to request it.",
     ["purchase", "laptop", "hardware request"], False,
     "Standard kit: laptop, docking station, two monitors, keyboard, mouse and headset.\n\nFile a ticket in "
     "*Purchase > Hardware request* with the person's start date; allow **5 working days** for delivery."),
]


# Each article's place in the help-article category tree (path "Parent/Child"), so the category panel and the
# articles agree: the walk-through found articles filed under topics while /kb/categories said "No categories yet".
ARTICLE_CATEGORIES: dict[str, str] = {
    "Reset your password or unlock your account": "Accounts & access/Passwords",
    "Connect to the VPN from home": "Network/VPN",
    "Printer shows a paper jam but no paper is stuck": "Hardware/Printers",
    "Shared drive (S:) is missing": "Network/Shared drives",
    "Mailbox full: free up space in Outlook": "E-mail & calendar",
    "Request administrator rights to install software": "Accounts & access",
    "Headset or microphone not detected in Teams": "Hardware/Audio & video",
    "Order a new laptop, monitor or accessory": "Hardware",
}
