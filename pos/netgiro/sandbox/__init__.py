"""The embedded Netgíró sandbox: Netgíró's v1 rules over real HTTP, and a page to play the customer."""
