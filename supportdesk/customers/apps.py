from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "supportdesk.customers"
    label = "customers"
    verbose_name = "Customers"
