/* The action-plan editor: nothing typed is lost.
 *
 * The editor's forms autosave through htmx (views/editor.py). This script keeps every change
 * in localStorage (one entry per plan: form id → field name → {value, time}) from the moment
 * it is typed until the server has saved it, so the text survives leaving the page, a dropped
 * connection and an expired session:
 *
 * - on load, fields kept in this browser that are newer than the server's copy are put back
 *   (with a notice) and sent again;
 * - after a successful autosave (the "membumi:autosaved" event the server triggers) the fields
 *   the server saved are marked saved (and forgotten on the next load that shows them); the
 *   ones it refused stay pending, marked aria-invalid;
 * - only pending fields are sent, so a page showing an older copy never overwrites newer
 *   text with its stale fields;
 * - offline (htmx:sendError), a server error, or an ended session (the login-required
 *   middleware answers htmx with HX-Redirect to the log-in page, which is not followed here)
 *   show a notice instead; the changes are sent again when the connection comes back or
 *   after logging in again.
 *
 * Times are kept on the server's clock (offset measured at load), so a browser whose clock
 * is wrong still compares correctly with the server's copy.
 */
(function () {
  "use strict";

  var root = document.getElementById("plan-editor");
  if (!root) {
    return;
  }
  var KEY = "membumi:plan-draft:" + root.dataset.plan;
  var sent = 0; // requests sent by this page
  var newestAnswer = 0; // the newest request whose answer was applied
  var staleAnswer = false; // the answer being swapped is older than one already applied
  var serverUpdated = parseInt(root.dataset.serverUpdated, 10) || 0;
  var offset = (parseInt(root.dataset.serverNow, 10) || Date.now()) - Date.now();
  var notice = document.getElementById("autosave-notice");
  var inflight = 0;

  function now() {
    return Date.now() + offset;
  }

  // Without localStorage (disabled, full) the state lives in this page only: the autosave
  // still works, only the recovery after leaving the page does not.
  var memory = JSON.stringify({ forms: {} });

  function load() {
    var text = memory;
    try {
      text = window.localStorage.getItem(KEY) || memory;
    } catch (e) {
      /* use the page's copy */
    }
    try {
      var state = JSON.parse(text);
      return state && state.forms ? state : { forms: {} };
    } catch (e) {
      return { forms: {} };
    }
  }

  function save(state) {
    var empty = !Object.keys(state.forms).length;
    memory = JSON.stringify(empty ? { forms: {} } : state);
    try {
      if (empty) {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, memory);
      }
    } catch (e) {
      /* storage full or disabled: kept in ``memory`` */
    }
  }

  function formKey(form) {
    return form && (form.dataset.autosave || form.dataset.draft);
  }

  function isMulti(form, name) {
    var inputs = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    return inputs.length > 1 || (inputs.length === 1 && inputs[0].closest(".choices"));
  }

  function valueOf(form, name) {
    if (isMulti(form, name)) {
      return Array.prototype.map.call(
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]:checked'),
        function (input) { return input.value; }
      );
    }
    var field = form.elements.namedItem(name);
    if (!field) {
      return null;
    }
    if (field.type === "checkbox") {
      return field.checked ? field.value : "";
    }
    return field.value;
  }

  function setValue(form, name, value) {
    if (Array.isArray(value)) {
      form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (input) {
        input.checked = value.indexOf(input.value) !== -1;
      });
      return true;
    }
    var field = form.elements.namedItem(name);
    if (!field || field.type === "hidden") {
      return false;
    }
    field.value = value;
    return true;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function showNotice(message, link, isError) {
    notice.textContent = message + " ";
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = root.dataset.msgLoginLink;
      a.setAttribute("data-testid", "login-again");
      notice.appendChild(a);
    }
    notice.classList.toggle("alert-error", isError !== false);
    notice.dataset.kind = isError === false ? "info" : "error";
    notice.hidden = false;
  }

  function hideNotice() {
    if (notice.dataset.kind !== "error") {
      return; // "restored" stays in view
    }
    notice.hidden = true;
    notice.textContent = "";
  }

  // A kept field is pending until the server confirms it; then it is marked with the
  // plan's version that holds it (``s``) and forgotten on the next load that shows at
  // least that version (a page loaded while the save was still landing shows an older copy:
  // the text is put back instead).
  function unsaved(fields) {
    return Object.keys(fields || {}).filter(function (name) { return !fields[name].s; });
  }

  function pendingForms() {
    var state = load();
    return Object.keys(state.forms)
      .filter(function (key) { return unsaved(state.forms[key]).length; })
      .map(function (key) { return document.getElementById(key); })
      .filter(function (form) { return form && form.dataset.autosave; });
  }

  function resend(forms) {
    (forms || pendingForms()).forEach(function (form) {
      window.htmx.trigger(form, "membumi:resend");
    });
  }

  // --- Keep what is typed ----------------------------------------------------------------

  function remember(event) {
    var target = event.target;
    var form = target && target.form;
    var key = formKey(form);
    if (!key || !target.name || target.name === "csrfmiddlewaretoken") {
      return;
    }
    var state = load();
    state.forms[key] = state.forms[key] || {};
    state.forms[key][target.name] = { v: valueOf(form, target.name), t: now() };
    save(state);
  }
  document.addEventListener("input", remember, true);
  document.addEventListener("change", remember, true);

  // --- Autosave requests -----------------------------------------------------------------

  document.body.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.dataset && form.dataset.autosave) {
      // Send only what was typed since the last save: a page showing an older copy (a save
      // that landed while it loaded) must not overwrite newer text with its stale fields.
      var names = unsaved(load().forms[form.dataset.autosave]);
      var data = event.detail.formData;
      Array.from(new Set(Array.from(data.keys()))).forEach(function (name) {
        if (name !== "csrfmiddlewaretoken" && names.indexOf(name) === -1) {
          data.delete(name);
        }
      });
      var sent = {};
      names.forEach(function (name) {
        sent[name] = valueOf(form, name);
      });
      data.append("_partial", "1");
      names.forEach(function (name) {
        data.append("_fields", name);
      });
      form._membumiSent = sent;
      var status = document.getElementById("autosave-status");
      if (status) {
        status.textContent = root.dataset.msgSaving;
      }
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    inflight += 1;
    // Number every request: the editor's forms save independently, so their answers can
    // arrive out of order, and an older answer must not put back an older quality panel.
    sent += 1;
    event.detail.xhr.membumiSeq = sent;
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var seq = event.detail.xhr && event.detail.xhr.membumiSeq;
    staleAnswer = Boolean(seq) && seq < newestAnswer;
    if (seq && !staleAnswer) {
      newestAnswer = seq;
    }
  });
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (staleAnswer && target && target.id === "quality-panel") {
      event.detail.shouldSwap = false;
    }
  });
  document.body.addEventListener("htmx:afterRequest", function () {
    inflight = Math.max(0, inflight - 1);
  });

  document.body.addEventListener("membumi:autosaved", function (event) {
    var detail = event.detail || {};
    var form = document.getElementById(detail.form);
    var invalid = detail.invalid || [];
    serverUpdated = Math.max(serverUpdated, detail.updated || 0);
    var state = load();
    var kept = state.forms[detail.form] || {};
    var sent = (form && form._membumiSent) || {};
    unsaved(kept).forEach(function (name) {
      if (invalid.indexOf(name) !== -1) {
        kept[name].t = Math.max(kept[name].t, serverUpdated + 1);
      } else if (name in sent && same(kept[name].v, sent[name])) {
        kept[name].s = serverUpdated;
      }
    });
    if (Object.keys(kept).length) {
      state.forms[detail.form] = kept;
    } else {
      delete state.forms[detail.form];
    }
    save(state);
    if (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.type === "hidden") {
          return;
        }
        var bad = invalid.indexOf(field.name) !== -1;
        if (bad) {
          field.setAttribute("aria-invalid", "true");
        } else {
          field.removeAttribute("aria-invalid");
        }
        var wrapper = field.closest(".field");
        if (wrapper) {
          wrapper.classList.toggle("field-error", bad);
        }
      });
    }
    hideNotice();
  });

  // An ended session: keep the text, say so, do not leave the page.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var target = xhr && xhr.getResponseHeader("HX-Redirect");
    if (target && target.indexOf(root.dataset.loginPath) === 0) {
      event.preventDefault();
      showNotice(root.dataset.msgLogin, target);
    }
  });

  document.body.addEventListener("htmx:sendError", function () {
    showNotice(root.dataset.msgOffline);
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 403) {
      // Without a session the CSRF check refuses the post first (its cookie went with the
      // session cookies): the same advice, log in again.
      showNotice(
        root.dataset.msgLogin,
        root.dataset.loginPath + "?next=" + encodeURIComponent(window.location.pathname)
      );
      return;
    }
    showNotice(root.dataset.msgError);
  });

  window.addEventListener("online", function () {
    resend();
  });

  // Draft forms (a new milestone, a new stakeholder) are kept until they are added.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) {
      return;
    }
    var state = load();
    var changed = false;
    target.querySelectorAll("form[data-draft]").forEach(function (form) {
      if (!form.querySelector(".error") && state.forms[form.dataset.draft]) {
        delete state.forms[form.dataset.draft];
        changed = true;
      }
    });
    if (changed) {
      save(state);
    }
    var focus = target.dataset && target.dataset.focus;
    if (focus) {
      var button = document.getElementById(focus);
      if (button && button.disabled) {
        var row = button.closest(".milestone");
        button = row && row.querySelector(".milestone-tools button:not([disabled])");
      }
      if (button) {
        button.focus();
      }
    }
  });

  // Submitting the plan: send what is still unsaved first.
  document.querySelectorAll("form[data-flush-before-submit]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var pending = pendingForms();
      if (!pending.length && !inflight) {
        return;
      }
      event.preventDefault();
      resend(pending);
      var waited = 0;
      var timer = window.setInterval(function () {
        waited += 100;
        if ((!inflight && !pendingForms().length) || waited > 8000) {
          window.clearInterval(timer);
          form.submit();
        }
      }, 100);
    });
  });

  // --- Restore on load -------------------------------------------------------------------

  function restore() {
    var state = load();
    var restored = 0;
    var toSend = [];
    Object.keys(state.forms).forEach(function (key) {
      var form = document.getElementById(key);
      var fields = state.forms[key];
      Object.keys(fields).forEach(function (name) {
        var field = fields[name];
        var stale = field.s ? serverUpdated < field.s : serverUpdated < field.t;
        if (!form || !stale) {
          delete fields[name]; // the page shows this text or newer, or the milestone is gone
          return;
        }
        if (field.s) {
          // Saved, but this page was read before the save landed: show it, send it again.
          fields[name] = { v: field.v, t: now() };
        }
        if (!same(valueOf(form, name), field.v) && setValue(form, name, field.v)) {
          restored += 1;
        }
      });
      if (!Object.keys(fields).length) {
        delete state.forms[key];
      } else if (form && form.dataset.autosave) {
        toSend.push(form);
      }
    });
    save(state);
    if (restored) {
      showNotice(root.dataset.msgRestored, null, false);
    }
    if (toSend.length) {
      resend(toSend);
    }
  }

  function start() {
    if (window.htmx) {
      window.setTimeout(restore, 0);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
