"""The demo organisation's structure and realistic ticket texts."""

from __future__ import annotations

TEAMS = {
    "Service Desk": "First line: triage, general questions, anything without a better home.",
    "Desktop Support": "Laptops, desktops, printers, phones and peripherals.",
    "Identity & Access": "Accounts, passwords, VPN, permissions and admin rights.",
    "Infrastructure": "Shared drives, storage, backup and servers.",
    "Procurement": "Hardware and software purchases and licences.",
    "Business Applications": "HR systems, internal projects and line-of-business apps.",
}

# Top-level names match the triage model's classes; children refine them.
CATEGORIES: dict[str, tuple[str, list[str]]] = {
    "Hardware": (
        "Desktop Support",
        ["Laptops & desktops", "Printers & scanners", "Phones & tablets", "Monitors & peripherals"],
    ),
    "Access": ("Identity & Access", ["Accounts & passwords", "VPN & remote access", "Application permissions"]),
    "Administrative rights": ("Identity & Access", []),
    "Storage": ("Infrastructure", ["Shared drives", "Backup & restore", "Mailbox size"]),
    "Purchase": ("Procurement", ["Hardware request", "Software licence"]),
    "HR Support": ("Business Applications", ["Payroll & leave system", "Onboarding & offboarding"]),
    "Internal Project": ("Business Applications", []),
    "Miscellaneous": ("Service Desk", []),
}

AGENTS = [
    ("Ayesha Khan", "ayesha.khan", ["Service Desk", "Desktop Support"]),
    ("Bilal Ahmed", "bilal.ahmed", ["Desktop Support"]),
    ("Sara Malik", "sara.malik", ["Identity & Access"]),
    ("Omar Farooq", "omar.farooq", ["Identity & Access", "Service Desk"]),
    ("Hina Raza", "hina.raza", ["Infrastructure"]),
    ("Usman Tariq", "usman.tariq", ["Infrastructure", "Business Applications"]),
    ("Fatima Noor", "fatima.noor", ["Procurement", "Service Desk"]),
    ("Kamran Iqbal", "kamran.iqbal", ["Business Applications"]),
]

FIRST_NAMES = ["Ali", "Zara", "Hamza", "Mariam", "Danish", "Sana", "Faisal", "Amna", "Imran", "Nadia", "Rizwan",
               "Mehwish", "Adnan", "Saima", "Junaid", "Iqra", "Waqas", "Rabia", "Shahid", "Komal", "Tahir", "Hira",
               "Asad", "Maha", "Salman", "Noor", "Yasir", "Anum", "Farhan", "Beenish"]
LAST_NAMES = ["Hussain", "Qureshi", "Siddiqui", "Chaudhry", "Butt", "Sheikh", "Mirza", "Javed", "Akhtar", "Baig",
              "Aslam", "Zafar", "Rehman", "Anwar", "Latif"]
DEPARTMENTS = ["Finance", "Sales", "Marketing", "Operations", "Human Resources", "Legal", "Engineering",
               "Customer Success", "Facilities"]

# (category path, priority, title, description)
TICKETS: list[tuple[str, str, str, str]] = [
    ("Hardware/Laptops & desktops", "high", "Laptop will not power on after update",
     "My laptop installed updates last night and now it does not turn on at all. The charging light blinks "
     "orange three times. I have a client presentation at 2pm and all my slides are on it."),
    ("Hardware/Laptops & desktops", "medium", "Laptop fan very loud and machine is slow",
     "For the past week the fan runs at full speed even when only Outlook is open, and everything takes ages "
     "to load. Could someone take a look?"),
    ("Hardware/Laptops & desktops", "low", "Request docking station for new desk",
     "I moved to the 3rd floor and the desk has no docking station. I need one that supports two monitors."),
    ("Hardware/Printers & scanners", "medium", "Printer on 2nd floor shows paper jam but no paper is stuck",
     "The HP printer near the finance area keeps reporting a paper jam in tray 2. We opened every door and "
     "there is no paper inside. Nobody on the floor can print."),
    ("Hardware/Printers & scanners", "low", "Scanner not sending documents to e-mail",
     "Scan to e-mail on the ground floor copier fails with 'SMTP error'. Scanning to USB works."),
    ("Hardware/Phones & tablets", "medium", "Company phone not receiving e-mail",
     "My work phone stopped syncing e-mail since yesterday. Calendar still works. I already restarted it."),
    ("Hardware/Monitors & peripherals", "low", "Second monitor flickers",
     "The right-hand monitor flickers every few seconds. I swapped the cable with a colleague's and it still "
     "happens."),
    ("Hardware/Monitors & peripherals", "low", "Keyboard keys sticking",
     "Several keys on my keyboard stick (E, R and space). Could I get a replacement keyboard?"),
    ("Access/Accounts & passwords", "high", "Locked out of my account after password change",
     "I changed my password this morning and now my account says it is locked. I can't log in to e-mail or "
     "Teams. Please unlock it."),
    ("Access/Accounts & passwords", "medium", "Password reset link not arriving",
     "I clicked 'forgot password' on the portal three times and no e-mail arrived. Spam folder is empty too."),
    ("Access/VPN & remote access", "high", "VPN disconnects every 10 minutes",
     "Working from home today and the VPN drops every ten minutes or so, which kills my remote desktop "
     "session. Other sites load fine."),
    ("Access/VPN & remote access", "medium", "Need VPN access for new contractor",
     "We have a contractor starting Monday who needs VPN access to reach the staging servers. Their manager "
     "has approved it."),
    ("Access/Application permissions", "medium", "Access to the finance reporting dashboard",
     "I joined the finance team this week and need read access to the monthly reporting dashboard in Power BI."),
    ("Access/Application permissions", "medium", "Cannot open shared project folder in SharePoint",
     "I get 'access denied' on the Q3 campaign folder in SharePoint. My manager says I should have edit rights."),
    ("Administrative rights", "medium", "Admin rights needed to install Python",
     "I need local admin rights (or an install) for Python 3.12 and VS Code for the data analysis project."),
    ("Administrative rights", "low", "Temporary admin access to install printer driver",
     "My home printer needs a driver install which asks for an administrator password."),
    ("Storage/Shared drives", "high", "Shared drive S: not mapping",
     "Since this morning the S: drive does not appear on my computer and I can't open team files. Other "
     "colleagues in marketing have the same problem."),
    ("Storage/Shared drives", "medium", "Need more space on team share",
     "Our team folder is at 98% of its quota and uploads are failing. Can the quota be increased?"),
    ("Storage/Backup & restore", "high", "Accidentally deleted folder, need it restored",
     "I deleted the 'Contracts 2024' folder from the legal share by mistake around 11:00 today. Can it be "
     "restored from backup?"),
    ("Storage/Mailbox size", "medium", "Mailbox full, cannot send e-mail",
     "Outlook says my mailbox is full and I can't send anything. I already emptied deleted items."),
    ("Purchase/Hardware request", "low", "New laptop for new hire in Sales",
     "We have a new account executive starting on the 1st. Please order the standard sales laptop and headset."),
    ("Purchase/Hardware request", "low", "Request for ergonomic mouse",
     "My physiotherapist recommended a vertical mouse. Could one be ordered for me?"),
    ("Purchase/Software licence", "medium", "Adobe Acrobat Pro licence",
     "I need to edit and sign PDFs for vendor contracts. Please assign an Acrobat Pro licence."),
    ("Purchase/Software licence", "low", "Renewal of design software licences",
     "Our three Figma seats expire at the end of the month. Please arrange the renewal."),
    ("HR Support/Payroll & leave system", "medium", "Leave balance wrong in HR portal",
     "The HR portal shows 3 days of annual leave but I should have 11. It changed after the last payroll run."),
    ("HR Support/Payroll & leave system", "high", "Cannot submit timesheet before deadline",
     "The timesheet page gives an error when I press submit. The deadline is today at 5pm."),
    ("HR Support/Onboarding & offboarding", "medium", "Offboarding for employee leaving Friday",
     "A member of my team leaves on Friday. Please disable their accounts at end of day and collect the laptop."),
    ("HR Support/Onboarding & offboarding", "medium", "Onboarding checklist for three new starters",
     "Three new analysts join on Monday. They need accounts, laptops, e-mail and access to the CRM."),
    ("Internal Project", "medium", "Test environment for the CRM migration project",
     "The CRM migration project needs a test environment with a copy of last month's data by next Wednesday."),
    ("Internal Project", "low", "Set up a project mailing list",
     "Please create a distribution list for the warehouse automation project with the 12 members listed below."),
    ("Miscellaneous", "low", "How do I book a meeting room with video?",
     "Which meeting rooms have the video conferencing kit, and how do I book them from Outlook?"),
    ("Miscellaneous", "low", "Wi-Fi password for visitors",
     "We have visitors from a partner company tomorrow. What is the guest Wi-Fi and how do they get access?"),
    ("Miscellaneous", "critical", "Whole office has no internet",
     "Nobody in the Lahore office can reach any website or e-mail since 09:40. Phones still work."),
    ("Access/Accounts & passwords", "critical", "Suspicious sign-in alert on my account",
     "I received an alert about a sign-in from another country that was not me. I have not changed my "
     "password yet. Please help urgently."),
]

AGENT_REPLIES = [
    "Thanks for reporting this. I'm looking into it now and will update you shortly.",
    "Could you send a screenshot of the error message, please?",
    "I've made the change on our side. Could you try again and let me know if it works?",
    "I've escalated this to the infrastructure team and will keep you posted.",
    "This should be fixed now. I'll leave the ticket open for a day in case it comes back.",
]
REQUESTER_REPLIES = [
    "Thanks, that worked!",
    "Here is the screenshot. It happens every time I try.",
    "Still the same problem, unfortunately.",
    "Any update on this? It is blocking my work.",
]
INTERNAL_NOTES = [
    "Checked the logs: the account was locked by 5 failed attempts from an old phone.",
    "Waiting on the vendor; case number opened with their support.",
    "Same root cause as the printer issue last week (driver update).",
]

# (team name or None for everyone, title, body); bodies use services/canned_responses.py placeholders.
CANNED_RESPONSES: list[tuple[str | None, str, str]] = [
    (None, "Need more details",
     "Hello {{ requester.first_name }},\n\nThanks for ticket #{{ ticket.number }}. To look into this we need a little "
     "more information: when did it start, what exactly do you see (a screenshot helps), and has anything changed "
     "recently?\n\nThanks,\n{{ agent.first_name }}\n{{ team.name }}"),
    (None, "Resolved - please confirm",
     "Hello {{ requester.first_name }},\n\nWe believe \"{{ ticket.title }}\" is fixed now. Could you check and let us "
     "know? If it is still not working, just reply and the ticket reopens.\n\nThanks,\n{{ agent.first_name }}"),
    (None, "Working on it",
     "Hello {{ requester.first_name }},\n\nI have picked up ticket #{{ ticket.number }} and am working on it. "
     "I will update you here as soon as I know more.\n\n{{ agent.name }}, {{ team.name }}"),
    ("Identity & Access", "Password reset done",
     "Hello {{ requester.first_name }},\n\nYour password has been reset. You will receive a temporary password "
     "separately; please change it at your next sign-in and do not share it with anyone.\n\n"
     "{{ agent.first_name }}, {{ team.name }}"),
    ("Desktop Support", "Hardware replacement ordered",
     "Hello {{ requester.first_name }},\n\nWe have ordered a replacement for the faulty hardware in ticket "
     "#{{ ticket.number }}. We will contact you to arrange the swap as soon as it arrives (usually within 3 to 5 "
     "working days).\n\n{{ agent.first_name }}, {{ team.name }}"),
]

# What IT did, by ticket title: the last reply on a resolved demo ticket, which the similar-tickets panel shows
# as "how it was resolved" (a generic "looking into it" there would teach an agent nothing).
RESOLUTIONS: dict[str, str] = {
    "Laptop will not power on after update":
        "The update left the battery controller in a bad state. Holding the power button for 30 s with the charger "
        "unplugged reset it, and the BIOS update from the vendor stops it happening again. It boots normally now.",
    "Laptop fan very loud and machine is slow":
        "The indexing service was stuck at 100% CPU after the last update. I rebuilt the search index and cleaned "
        "the fan vents; temperatures are back to normal.",
    "Request docking station for new desk":
        "A dual-monitor USB-C dock is installed on your new desk and both screens are set up.",
    "Printer on 2nd floor shows paper jam but no paper is stuck":
        "A torn scrap was stuck behind the tray 2 pick-up roller, out of sight. Removed it and cleaned the sensor; "
        "the printer is back online for the whole floor.",
    "Scanner not sending documents to e-mail":
        "The copier was still using the old SMTP password. Updated it to the relay account and switched to port "
        "587 with TLS; scan to e-mail works again.",
    "Company phone not receiving e-mail":
        "Your mail profile on the phone expired with the password change. I removed and re-added the account "
        "through Company Portal; mail is syncing again.",
    "Second monitor flickers":
        "The monitor's backlight was failing. Swapped it for a new one from stock and took the old one for repair.",
    "Keyboard keys sticking":
        "Replaced the keyboard with a new one from stock; the old one went to recycling.",
    "Locked out of my account after password change":
        "An old phone kept trying the previous password and locked the account. I unlocked it and removed the "
        "stale device; please update the password on any other devices.",
    "Password reset link not arriving":
        "The reset e-mails were held by the spam filter's new rule. I released them and added the portal sender "
        "to the allow list; a fresh link is on its way.",
    "VPN disconnects every 10 minutes":
        "Your VPN client was two versions behind and dropped on the gateway's key renewal. Updated it to the "
        "current version; the connection now stays up.",
    "Need VPN access for new contractor":
        "The contractor's account is in the VPN-Staging group with access until the end of the contract; setup "
        "instructions were sent to them.",
    "Access to the finance reporting dashboard":
        "Added you to the Finance-Reports-Read group; the dashboard appears in Power BI after you sign in again.",
    "Cannot open shared project folder in SharePoint":
        "The Q3 campaign folder had broken inheritance. Granted edit rights to the marketing group there, with "
        "your manager's approval.",
    "Admin rights needed to install Python":
        "Installed Python 3.12 and VS Code from the software centre; no admin rights needed. Extra packages can "
        "be installed per user with pip.",
    "Temporary admin access to install printer driver":
        "Installed the printer driver remotely with an admin session; the printer prints a test page.",
    "Shared drive S: not mapping":
        "The file server's certificate expired overnight so the logon script could not map S:. Renewed it; the "
        "drive maps again after signing out and in.",
    "Need more space on team share":
        "Raised the team share quota from 200 GB to 300 GB, approved by the team lead.",
    "Accidentally deleted folder, need it restored":
        "Restored 'Contracts 2024' from last night's snapshot to its original place; nothing since then was lost.",
    "Mailbox full, cannot send e-mail":
        "Enabled the online archive and moved mail older than two years into it; the mailbox is at 40% now.",
    "New laptop for new hire in Sales":
        "The standard sales laptop and headset are imaged and ready for collection at the IT desk.",
    "Request for ergonomic mouse":
        "Ordered a vertical mouse; it will be delivered to your desk this week.",
    "Adobe Acrobat Pro licence":
        "Assigned an Acrobat Pro licence; sign out and back in to Acrobat to activate it.",
    "Renewal of design software licences":
        "Renewed the three Figma seats for a year; the invoice went to finance.",
    "Leave balance wrong in HR portal":
        "The payroll import double-counted leave taken in March. HR corrected the balance to 11 days.",
    "Cannot submit timesheet before deadline":
        "The timesheet service had a stuck session after the deploy. Restarted it and submitted your timesheet "
        "on time; payroll confirmed receipt.",
    "Offboarding for employee leaving Friday":
        "Accounts disabled at 17:00 Friday, mailbox delegated to the manager, laptop collected and wiped.",
    "Onboarding checklist for three new starters":
        "Accounts, laptops, e-mail and CRM access are ready for all three; welcome packs are on their desks.",
    "Test environment for the CRM migration project":
        "The CRM test environment is up with last month's data (anonymised); access details went to the "
        "project lead.",
    "Set up a project mailing list":
        "Created the warehouse-automation distribution list with the 12 members.",
    "How do I book a meeting room with video?":
        "Rooms 2.04, 3.01 and 3.10 have the video kit. In Outlook choose New Meeting > Room Finder > 'Video' to "
        "book them.",
    "Wi-Fi password for visitors":
        "Guests use the ACME-Guest network; reception prints a one-day voucher for each visitor.",
    "Whole office has no internet":
        "The ISP's fibre was cut near the office; we failed over to the backup line and the main line is back.",
    "Suspicious sign-in alert on my account":
        "Reset your password, signed out all sessions and blocked the foreign sign-in. MFA is now enforced on the "
        "account; no data was accessed.",
}
