"""Methods, fields and locals with the same name, properties, class variables, custom comparisons."""
import functools


@functools.total_ordering
class Version:
    compared = 0

    def __init__(self, major, minor=0):
        self.major = major
        self.minor = minor

    def __eq__(self, other):
        Version.compared += 1
        return (self.major, self.minor) == (other.major, other.minor)

    def __lt__(self, other):
        Version.compared += 1
        return (self.major, self.minor) < (other.major, other.minor)

    def __repr__(self):
        return f"v{self.major}.{self.minor}"


class Account:
    rate = 0.5
    instances = 0

    def __init__(self, owner, balance=0):
        self.owner = owner
        self._balance = balance
        self.history = []
        Account.instances += 1

    @property
    def balance(self):
        return self._balance

    def deposit(self, amount):
        balance = self._balance + amount
        if amount <= 0:
            self.history.append("rejected")
            return False
        self._balance = balance
        self.history.append(f"+{amount}")
        return True

    def interest(self, years):
        rate = self.rate
        balance = self._balance
        for year in range(years):
            balance += int(balance * rate)
        return balance


class Savings(Account):
    rate = 0.25

    def deposit(self, amount):
        ok = super().deposit(amount * 2)
        if ok:
            self.history.append("doubled")
        return ok


class Stack:
    def __init__(self):
        self.items = []

    def push(self, *items):
        for item in items:
            self.items.append(item)
        return self

    def pop(self):
        if not self.items:
            return None
        return self.items.pop()

    def __len__(self):
        return len(self.items)


def main():
    versions = [Version(1, 2), Version(0, 9), Version(1, 0), Version(2)]
    ordered = sorted(versions)
    print(ordered, max(versions), Version(1) <= Version(1, 0), Version(3) > Version(2, 9))
    print(Version.compared > 0)
    acct = Account("ann", 100)
    acct.deposit(50)
    acct.deposit(-5)
    print(acct.balance, acct.history, acct.interest(3))
    sav = Savings("bob")
    sav.deposit(10)
    print(sav.balance, sav.history, sav.interest(2), Account.instances)
    s = Stack().push(1, 2, 3)
    top = s.pop()
    print(top, len(s), s.pop(), s.pop(), s.pop())


main()
