"""The service guide (办事指南) a person reads after the self-check, as the 一网通办 portals give it:
the materials to bring (from the facts the verdict relied on), the police station of their township
with its opening hours, the time limit, that it costs nothing, and the legal basis.

`guide.file` reads and checks the city's guide file (materials, stations, hours); `guide.materials`
works out what a verdict relied on and the materials that proves; `guide.sheet` puts one person's
guide together. All of it is pure: no database, no web.
"""
