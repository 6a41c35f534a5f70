// Entra sign-in for the page (issue 19): MSAL, authorization code + PKCE, redirect back to /api/ui.
// /api/ui/signin.json says how: "entra" where the deployment has the Loket API app registration,
// "key" locally, where the API key field stays as it is. Signed in, the access token goes into the
// credential field app.js already reads, and app.js sends a three-part token as a bearer; the field
// is hidden and the token renewed silently before it expires. Nothing here writes HTML from data.
"use strict";

(function () {
  const RENEW_MS = 4 * 60 * 1000;
  // The words come from the one catalogue (app.js's t, schemas/messages.py); Dutch until it has loaded.
  const words = () => (typeof t === "function" && t("sign_in") !== "sign_in")
    ? [t("sign_in"), t("signed_in_as", { name: "" })] : ["Aanmelden", "Aangemeld als "];

  function loadLibrary(name) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/api/ui/" + name;
      script.onload = () => resolve(window.msal);
      script.onerror = () => reject(new Error("could not load " + name));
      document.head.appendChild(script);
    });
  }

  function credentialField() {
    const field = document.getElementById("credential");
    const label = document.querySelector('label[for="credential"]');
    return { field, label };
  }

  function showStatus(text, action) {
    const { field } = credentialField();
    let box = document.getElementById("signin");
    if (!box) {
      box = document.createElement("span");
      box.id = "signin";
      field.insertAdjacentElement("afterend", box);
    }
    box.replaceChildren();
    if (action) {
      const button = document.createElement("button");
      button.type = "button";
      button.id = "signin-button";
      button.textContent = text;
      button.addEventListener("click", action);
      box.appendChild(button);
    } else {
      box.textContent = text;
    }
  }

  async function start() {
    const response = await fetch("/api/ui/signin.json");
    const config = await response.json();
    window.loketSignIn = { config };
    if (config.mode !== "entra") return;  // locally: the API key field as before
    const { field, label } = credentialField();
    field.hidden = true;
    if (label) label.hidden = true;
    const msal = window.msal || (await loadLibrary(config.library));
    const client = new msal.PublicClientApplication({
      auth: { clientId: config.client_id, authority: config.authority,
              redirectUri: window.location.origin + config.redirect_path },
      cache: { cacheLocation: "sessionStorage" },
    });
    await client.initialize();
    const returned = await client.handleRedirectPromise();
    const account = (returned && returned.account) || client.getAllAccounts()[0];
    const request = { scopes: config.scopes, account };
    if (!account) {
      showStatus(words()[0], () => client.loginRedirect({ scopes: config.scopes }));
      return;
    }
    async function renew() {
      try {
        const result = await client.acquireTokenSilent(request);
        field.value = result.accessToken;
        field.dispatchEvent(new Event("change"));
      } catch (error) {
        if (error instanceof msal.InteractionRequiredAuthError) await client.acquireTokenRedirect(request);
        else throw error;
      }
    }
    await renew();
    showStatus(words()[1] + account.username);
    window.loketSignIn.renewal = setInterval(renew, RENEW_MS);
  }

  window.loketSignInReady = start().catch((error) => {
    console.error("sign-in failed", error);
    showStatus(String(error.message || error));
  });
})();
