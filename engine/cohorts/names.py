"""Names for synthetic cohorts: unique within a cohort, managers' included, so a report's
names tell people apart as a real organisation's mostly do.

Each is a given name and a family name from pools of 80 each, from many languages, drawn
without repeats from their 6,400 pairs in a seeded order. Not Faker: it promises the same
output for a seed only within one of its versions, so an upgrade would change every cohort and
every golden file made from one, and 6,400 pairs already cover any cohort a committee meets;
past them a middle initial, then a number, keeps names unique for benchmarks' larger cohorts."""
from __future__ import annotations

import random

FIRST = ["Aisha", "Ben", "Chen", "Dara", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
         "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rafael", "Sara", "Tomás", "Uma", "Viktor", "Wen", "Yara", "Zane",
         "Adaeze", "Bruno", "Camila", "Dmitri", "Esther", "Felix", "Gustavo", "Hannah", "Ibrahim", "Julia", "Kenji",
         "Leila", "Mateo", "Nia", "Oscar", "Paula", "Ravi", "Sofia", "Tariq", "Ulla", "Valentina", "William", "Xin",
         "Yusuf", "Zofia", "Amara", "Björn", "Carmen", "Diego", "Emeka", "Fatima", "Giulia", "Hassan", "Ingrid",
         "Jae-won", "Kavya", "Lucas", "Maya", "Nikolai", "Olivia", "Pedro", "Rosa", "Samuel", "Thandiwe", "Arjun",
         "Beatriz", "Chloé", "Daniel", "Eun-ji", "Fernando", "Hana", "Isaac", "Joanna", "Kwame", "Lina"]
LAST = ["Adeyemi", "Bello", "Costa", "Duarte", "Eriksen", "Fischer", "García", "Haddad", "Iyer", "Jansen", "Kim",
        "Larsen", "Mensah", "Nakamura", "Okafor", "Petrov", "Quispe", "Raman", "Silva", "Tanaka", "Vogt", "Weber",
        "Abara", "Banerjee", "Castillo", "Dimitrov", "Eze", "Ferreira", "Gonzaga", "Horvath", "Ibáñez", "Johansson",
        "Kowalski", "Lindqvist", "Moreau", "Novak", "Oyelaran", "Park", "Rossi", "Santos", "Takahashi", "Usman",
        "Varga", "Wójcik", "Yilmaz", "Zhang", "Achebe", "Bjørnstad", "Chowdhury", "Dubois", "Esposito", "Fonseca",
        "Gallagher", "Hoang", "Ivanova", "Jovanović", "Kariuki", "Lopez", "Murphy", "Nguyen", "Ortiz", "Popescu",
        "Reyes", "Schmidt", "Tran", "Ueda", "Van Dijk", "Wang", "Yamamoto", "Zulu", "Asante", "Bianchi", "Cohen",
        "Da Silva", "Engström", "Farah", "Greco", "Hughes", "Ito", "Keller"]


def unique_names(rnd: random.Random, n: int) -> list[str]:
    """`n` different names, 'Given Family', in an order drawn from `rnd`."""
    pairs = [(first, last) for first in FIRST for last in LAST]
    rnd.shuffle(pairs)
    names = [f"{first} {last}" for first, last in pairs[:n]]
    for initial in "ABCDEFGHJKLMNPRSTVW":
        if len(names) >= n:
            return names
        names += [f"{first} {initial}. {last}" for first, last in pairs[:n - len(names)]]
    rounds = 2
    while len(names) < n:
        names += [f"{first} {last} {rounds}" for first, last in pairs[:n - len(names)]]
        rounds += 1
    return names
