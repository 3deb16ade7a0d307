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

# Other people's wording of the same problems, by the title above: real helpdesks rarely see one text twice, and the
# similar-tickets panel and retraining only show what they can do on varied wording.
REPHRASINGS: dict[str, list[tuple[str, str]]] = {
    "Laptop will not power on after update": [
        ("Laptop dead after overnight updates", "Left my laptop updating overnight and this morning it won't "
         "start. Pressing the power button does nothing except a blinking light."),
        ("Notebook stuck, won't boot", "My notebook won't boot since the update yesterday. Screen stays black."),
    ],
    "Laptop fan very loud and machine is slow": [
        ("Computer overheating and slow", "My computer gets very hot and the fan is noisy. Opening Excel takes "
         "minutes."),
        ("PC running really slowly", "Everything on my PC is slow since last week and the fan never stops."),
    ],
    "Request docking station for new desk": [
        ("Docking station needed", "I need a docking station with two display ports for my new workplace."),
        ("Dock for hot desk on 4th floor", "The hot desk I use has no dock. Could one be installed?"),
    ],
    "Printer on 2nd floor shows paper jam but no paper is stuck": [
        ("Printer keeps saying paper jam", "The finance printer says there is a jam in tray 2 but nothing is "
         "stuck. We cannot print invoices."),
        ("Cannot print - jam error", "Every print job fails with a paper jam error on the second floor printer."),
    ],
    "Scanner not sending documents to e-mail": [
        ("Scan to email broken", "The copier downstairs no longer emails scans. It shows an error after "
         "scanning."),
        ("Scanned documents not arriving", "I scan to my email address but nothing arrives."),
    ],
    "Company phone not receiving e-mail": [
        ("Work mobile not syncing mail", "My work mobile shows no new emails since yesterday afternoon."),
        ("No emails on my phone", "Emails stopped arriving on my company phone; on the laptop they arrive fine."),
    ],
    "Second monitor flickers": [
        ("External monitor flickering", "My external screen keeps flickering and going black for a second."),
        ("Screen blinking on and off", "The second screen on my desk blinks on and off all day."),
    ],
    "Keyboard keys sticking": [
        ("Replacement keyboard please", "A few keys on my keyboard don't work properly any more. Can I have a "
         "new one?"),
        ("Broken keyboard", "Coffee went into my keyboard and now some keys stick."),
    ],
    "Locked out of my account after password change": [
        ("Account locked", "My account got locked after I updated my password. I can't sign in anywhere."),
        ("Cannot log in after password reset", "After resetting my password I cannot log in; it says account "
         "locked."),
    ],
    "Password reset link not arriving": [
        ("No password reset email", "I requested a password reset twice but never got the email."),
        ("Forgot password email missing", "The forgot password mail does not arrive, not even in junk."),
    ],
    "VPN disconnects every 10 minutes": [
        ("VPN keeps dropping", "My VPN connection drops all the time when working from home."),
        ("Remote connection unstable", "The remote connection to the office keeps disconnecting every few "
         "minutes."),
    ],
    "Need VPN access for new contractor": [
        ("Remote access for external consultant", "An external consultant starts next week and needs remote "
         "access to the test servers. Approved by the project manager."),
        ("VPN account for contractor", "Please create VPN access for our new contractor starting Monday."),
    ],
    "Access to the finance reporting dashboard": [
        ("Need access to Power BI report", "Please give me access to the monthly finance report in Power BI."),
        ("Permission for reporting dashboard", "I need view permission on the finance dashboard for my new "
         "role."),
    ],
    "Cannot open shared project folder in SharePoint": [
        ("Access denied on project site", "I get access denied when opening the campaign project site."),
        ("Need edit rights on team site", "Please give me edit rights on our team's SharePoint folder."),
    ],
    "Admin rights needed to install Python": [
        ("Install software needs admin password", "I need to install Python and some tools for my analysis "
         "but it asks for an admin password."),
        ("Local admin rights request", "Can I get local administrator rights on my laptop to install "
         "development tools?"),
    ],
    "Temporary admin access to install printer driver": [
        ("Admin password for driver install", "Installing my printer driver asks for administrator rights."),
        ("Need admin to install a driver", "I need temporary admin access to install a driver for my home "
         "printer."),
    ],
    "Shared drive S: not mapping": [
        ("S drive missing", "The S drive disappeared from my computer this morning."),
        ("Network drive not connecting", "My network drive does not connect after login; colleagues have the "
         "same issue."),
    ],
    "Need more space on team share": [
        ("Team folder full", "Our team folder is full and we can't save files. Please increase the quota."),
        ("Quota increase for shared folder", "We need more storage on our shared folder, it is at 99 %."),
    ],
    "Accidentally deleted folder, need it restored": [
        ("Restore deleted files", "I deleted some files from the shared drive by mistake this morning. Can they "
         "be restored?"),
        ("Need backup restore", "Please restore yesterday's version of the contracts folder from backup."),
    ],
    "Mailbox full, cannot send e-mail": [
        ("Mailbox over quota", "Outlook says my mailbox is over its size limit and I cannot send mail."),
        ("Cannot send emails, mailbox full", "I get a mailbox full warning and my emails don't go out."),
    ],
    "New laptop for new hire in Sales": [
        ("Laptop for new starter", "A new sales colleague starts on Monday and needs a laptop and headset."),
        ("Order laptop for new employee", "Please order a standard laptop for our new team member."),
    ],
    "Request for ergonomic mouse": [
        ("Ergonomic mouse order", "Could you order an ergonomic mouse for me? My wrist hurts."),
        ("Vertical mouse request", "I would like to request a vertical mouse for my desk."),
    ],
    "Adobe Acrobat Pro licence": [
        ("Acrobat licence needed", "I need an Acrobat licence to edit PDF documents for contracts."),
        ("Request PDF editor licence", "Please assign me a licence for a PDF editor."),
    ],
    "Renewal of design software licences": [
        ("Design licences expiring", "Our design tool licences expire this month. Please renew them."),
        ("Renew software subscription", "The subscription for our design software needs renewing."),
    ],
    "Leave balance wrong in HR portal": [
        ("Holiday balance incorrect", "My holiday balance in the HR system is wrong after the last payroll."),
        ("Wrong vacation days shown", "The HR portal shows fewer vacation days than I have."),
    ],
    "Cannot submit timesheet before deadline": [
        ("Timesheet submission error", "I get an error when submitting my timesheet and the deadline is "
         "today."),
        ("Time booking system not working", "The time booking system will not save my hours."),
    ],
    "Offboarding for employee leaving Friday": [
        ("Leaver on Friday", "A colleague leaves on Friday. Please disable accounts and collect equipment."),
        ("Employee leaving - remove access", "Please remove all access for a team member who is leaving this "
         "week."),
    ],
    "Onboarding checklist for three new starters": [
        ("New starters next week", "Three people join next week and need accounts, laptops and email."),
        ("Setup for new employees", "Please prepare accounts and equipment for our new employees starting "
         "Monday."),
    ],
    "Test environment for the CRM migration project": [
        ("Project test server", "Our migration project needs a test server with a copy of production data."),
        ("Environment for project testing", "We need a test environment for the CRM project by next week."),
    ],
    "Set up a project mailing list": [
        ("Distribution list for project", "Please create a mailing list for our project team members."),
        ("New project email group", "Can you set up an email group for the automation project?"),
    ],
    "How do I book a meeting room with video?": [
        ("Video meeting room booking", "How can I book a meeting room that has video conferencing?"),
        ("Which rooms have video?", "Which rooms have cameras for video calls and how do I reserve one?"),
    ],
    "Wi-Fi password for visitors": [
        ("Guest Wi-Fi access", "How do our visitors get on the guest Wi-Fi tomorrow?"),
        ("Internet for guests", "We have guests coming; how can they connect to the internet?"),
    ],
    "Whole office has no internet": [
        ("Internet down in office", "No one in the office has internet since this morning."),
        ("Network outage", "The whole floor lost network connection. Nothing loads."),
    ],
    "Suspicious sign-in alert on my account": [
        ("Strange login alert", "I got an alert about a login from another country that was not me."),
        ("Possible account compromise", "Someone may have signed in to my account; I received a security "
         "warning."),
    ],
}
