"""The Functions entry: build the FunctionApp and register the blueprints, nothing else."""
import azure.functions as func

from functions import blueprints

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in blueprints():
    app.register_functions(blueprint)
