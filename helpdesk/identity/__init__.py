"""Who people are and what their role lets them do: sign-in and sessions in Redis with the login rate limit
(`auth`), password hashing (`passwords`), the people directory (`directory`), the `Actor` every permission check
looks at (`actor`) and the named role predicates (`policy`). Identity may import helpdesk.core and helpdesk.models
only; every other context may import it.
"""
