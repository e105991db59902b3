from ojlib.cli import run

run()
