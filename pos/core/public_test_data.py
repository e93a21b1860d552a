"""Netgíró's published test data: both test applications, and the test customers they serve.

These secrets are public (Netgíró prints them in its testing docs); they only sign requests
to a test server or to our sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestApplication:
    """A published test application: its id (app key) and secret."""

    app_key: str
    secret_key: str


FIRST_TEST_APPLICATION = TestApplication(
    app_key="881E674F-7891-4C20-AFD8-56FE2624C4B5",
    secret_key=(
        "YCFd6hiA8lUjZejVcIf/LhRXO4wTDxY0JhOXvQZwnMSiNynSxmNIMjMf1HHwdV6cMN48NX3ZipA9q9hLPb9C1ZIzMH5dv"
        "ELPAHceiu7LbZzmIAGeOf/OUaDrk2Zq2dbGacIAzU6yyk4KmOXRaSLi8KW8t3krdQSX7Ecm8Qunc/A="
    ),
)
SECOND_TEST_APPLICATION = TestApplication(
    app_key="cf4dda0f-2698-4aeb-8092-a41c675590d2",
    secret_key=(
        "5ElNQUxq58KmQIsVlVbOu9Lu04h0QNTkrTfDjYYvvRDO2EAC1L0SbL4M+AZjCeITiTZnKwguYph+Gj6wMr+GRY0pGMx2C"
        "nl5ax/2iQDoNZIpC9HtLsM9Yt5pfD2oL/MG5Kn3FqbdAl22Apuvj+6O40a2Peap+EFPrknni6oQIbo="
    ),
)
TEST_APPLICATIONS = (FIRST_TEST_APPLICATION, SECOND_TEST_APPLICATION)

TEST_SSN_UNLIMITED_CREDIT = "1111111119"
TEST_SSN_NO_CREDIT = "2222222229"
TEST_GSM_NUMBERS = ("8223281", "7700001")
TEST_APP_CODE_PREFIX = "500004"
TEST_SSNS = (TEST_SSN_UNLIMITED_CREDIT, TEST_SSN_NO_CREDIT)


def is_test_app_key(app_key: str) -> bool:
    """Whether ``app_key`` is one of Netgíró's public test applications (case-insensitive)."""
    return app_key.lower() in {app.app_key.lower() for app in TEST_APPLICATIONS}
