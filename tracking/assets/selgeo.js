/*! Selgeo click tracking (selgeo.js, v1). No dependencies; never throws into the page.
 *
 * <script src="https://<selgeo host>/v1/selgeo.js" data-merchant="pk_live_..." async></script>
 *
 * - A visit with ?ref=CODE or ?via=CODE records one click through POST /v1/clicks (on the
 *   origin the script came from) and keeps its id in the first-party cookie
 *   `selgeo_click_id` until the program's attribution window closes (`expires_at`).
 *   Reloads and later visits with the same code reuse that click instead of recording
 *   another; a different code records a new click (the last click wins).
 * - A visit with ?selgeo_click_id=<uuid> (tracking links /r/<code> add it) keeps that id
 *   until its window closes, read from GET /v1/clicks/<id>; a click the key does not
 *   know is not kept. Without a usable key, or when the API cannot answer, the cookie
 *   lasts `data-cookie-days` (default 30).
 * - window.Selgeo.clickId() returns the stored click id or null;
 *   window.Selgeo.ready(fn) calls fn(clickId) once recording has finished.
 * - Forms marked `data-selgeo` get a hidden input `selgeo_click_id`, on load, after
 *   recording and again when they are submitted.
 * Content-Security-Policy: allow this origin in script-src and connect-src.
 */
(function (window, document) {
  "use strict";

  var COOKIE = "selgeo_click_id";
  var REF_COOKIE = "selgeo_ref";
  var FIELD = "selgeo_click_id";
  var CODE = /^[A-Za-z0-9_-]{1,40}$/;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var KEY = /^pk_(test|live)_[A-Za-z0-9]+$/;
  var DEFAULT_DAYS = 30;
  var URL_MAX = 2000;

  if (window.Selgeo && window.Selgeo.version) {
    return;
  }

  var waiting = [];
  var settled = false;

  function safe(fn, arg) {
    try {
      fn(arg);
    } catch (ignored) {
      // A page's callback must not break the snippet, nor the snippet the page.
    }
  }

  function findScript() {
    var current = document.currentScript;
    if (current && current.getAttribute("data-merchant") !== null) {
      return current;
    }
    var scripts = document.querySelectorAll("script[data-merchant]");
    for (var i = 0; i < scripts.length; i++) {
      if (/\/selgeo\.js(?:[?#]|$)/.test(scripts[i].src)) {
        return scripts[i];
      }
    }
    return null;
  }

  function decode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (ignored) {
      return "";
    }
  }

  function param(name) {
    var pairs = window.location.search.replace(/^\?/, "").split("&");
    for (var i = 0; i < pairs.length; i++) {
      var cut = pairs[i].indexOf("=");
      var key = cut < 0 ? pairs[i] : pairs[i].slice(0, cut);
      if (decode(key) === name) {
        return cut < 0 ? "" : decode(pairs[i].slice(cut + 1));
      }
    }
    return "";
  }

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(/;\s*/) : [];
    for (var i = 0; i < parts.length; i++) {
      var cut = parts[i].indexOf("=");
      if (cut > 0 && parts[i].slice(0, cut) === name) {
        return decode(parts[i].slice(cut + 1));
      }
    }
    return "";
  }

  function writeCookie(name, value, maxAgeSeconds) {
    var cookie =
      name + "=" + encodeURIComponent(value) + "; Max-Age=" + maxAgeSeconds +
      "; Path=/; SameSite=Lax";
    if (window.location.protocol === "https:") {
      cookie += "; Secure";
    }
    document.cookie = cookie;
  }

  function clickId() {
    var value = readCookie(COOKIE);
    return UUID.test(value) ? value.toLowerCase() : null;
  }

  function remember(id, code, maxAgeSeconds) {
    writeCookie(COOKIE, id.toLowerCase(), maxAgeSeconds);
    // The code is stored with the click it recorded, so that only that exact pair is
    // reused on a reload; a click id arriving from a link clears the pairing.
    writeCookie(REF_COOKIE, code ? code.toLowerCase() + ":" + id.toLowerCase() : "", maxAgeSeconds);
  }

  function decorateForm(form) {
    var id = clickId();
    if (!id || !form || !form.hasAttribute || !form.hasAttribute("data-selgeo")) {
      return;
    }
    var input = form.querySelector('input[name="' + FIELD + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = FIELD;
      form.appendChild(input);
    }
    input.value = id;
  }

  function decorateForms() {
    try {
      var forms = document.querySelectorAll("form[data-selgeo]");
      for (var i = 0; i < forms.length; i++) {
        decorateForm(forms[i]);
      }
    } catch (ignored) {
      // Decoration is best effort; the submit listener tries again.
    }
  }

  function settle() {
    if (settled) {
      return;
    }
    settled = true;
    decorateForms();
    var callbacks = waiting;
    waiting = [];
    for (var i = 0; i < callbacks.length; i++) {
      safe(callbacks[i], clickId());
    }
  }

  function ready(fn) {
    if (typeof fn !== "function") {
      return;
    }
    if (settled) {
      safe(fn, clickId());
    } else {
      waiting.push(fn);
    }
  }

  function apiBase(src) {
    return src.split("#")[0].split("?")[0].replace(/\/selgeo\.js$/, "");
  }

  function pageUrl() {
    var href = String(window.location.href);
    return /^https?:/i.test(href) ? href.slice(0, URL_MAX) : "";
  }

  // Sends a request to the API; `done(status, body)` gets the parsed answer (body null
  // when it is not JSON) or status 0 when the request could not be made.
  function call(method, url, key, payload, done) {
    var request = new XMLHttpRequest();
    request.open(method, url, true);
    request.setRequestHeader("Authorization", "Bearer " + key);
    if (payload !== null) {
      request.setRequestHeader("Content-Type", "application/json");
    }
    request.onreadystatechange = function () {
      if (request.readyState !== 4) {
        return;
      }
      var body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch (ignored) {
        // Not JSON: the caller sees a null body.
      }
      try {
        done(request.status, body);
      } catch (ignored) {
        // An unreadable answer stores nothing; the page goes on.
      }
      settle();
    };
    request.send(payload === null ? null : JSON.stringify(payload));
  }

  // Keeps an answered click (POST or GET /v1/clicks) until its window closes.
  function rememberClick(body, code) {
    // Date.parse reads milliseconds; the API sends microseconds.
    var expires = Date.parse(String(body.expires_at).replace(/(\.\d{3})\d+/, "$1"));
    var seconds = Math.floor((expires - new Date().getTime()) / 1000);
    if (UUID.test(body.click_id) && seconds > 0) {
      remember(body.click_id, code, seconds);
    }
  }

  function record(base, key, code) {
    var visit = {
      referral_code: code,
      landing_url: pageUrl(),
      referrer: String(document.referrer || "").slice(0, URL_MAX),
    };
    call("POST", base + "/clicks", key, visit, function (status, body) {
      if (status === 201 && body) {
        rememberClick(body, code);
      }
    });
  }

  // A tracking link's click was recorded by the redirect, on Selgeo's origin: its window
  // comes from the API. A click the merchant does not have (404) would never be
  // attributed and is not kept; any other answer (a network error, a key rotated
  // since the page was built, a rate limit) keeps it for the fallback lifetime, as
  // the conversion's own check decides in the end.
  function adopt(base, key, id, fallbackSeconds) {
    call("GET", base + "/clicks/" + id.toLowerCase(), key, null, function (status, body) {
      if (status === 200 && body) {
        rememberClick(body, "");
      } else if (status !== 404) {
        remember(id, "", fallbackSeconds);
      }
    });
  }

  function start() {
    var script = findScript();
    var key = script ? script.getAttribute("data-merchant") || "" : "";
    var linkClick = param("selgeo_click_id");
    if (UUID.test(linkClick)) {
      var days = parseInt(script ? script.getAttribute("data-cookie-days") : "", 10);
      var fallback = (days > 0 ? days : DEFAULT_DAYS) * 86400;
      if (script && KEY.test(key)) {
        adopt(apiBase(script.src), key, linkClick, fallback);
      } else {
        remember(linkClick, "", fallback);
        settle();
      }
      return;
    }
    var code = param("ref") || param("via");
    if (!script || !KEY.test(key) || !CODE.test(code)) {
      settle();
      return;
    }
    var stored = clickId();
    if (stored && readCookie(REF_COOKIE) === code.toLowerCase() + ":" + stored) {
      settle();
      return;
    }
    record(apiBase(script.src), key, code);
  }

  window.Selgeo = { version: "1", clickId: clickId, ready: ready };

  try {
    document.addEventListener(
      "submit",
      function (event) {
        try {
          decorateForm(event.target);
        } catch (ignored) {
          // Never block a form submission.
        }
      },
      true
    );
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", decorateForms);
    }
    start();
  } catch (ignored) {
    settle();
  }
})(window, document);
