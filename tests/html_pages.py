# ruff: noqa: E501 (the pages keep the long lines generators write)
"""Small pages shaped as common documentation generators build them (for tests/test_html.py)."""

SPHINX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" />
<title>Application API &#8212; Widget documentation</title>
<link rel="canonical" href="https://docs.example.org/extdev/appapi.html" />
<link rel="next" title="Events" href="events.html" />
</head><body>
<div class="related" role="navigation" aria-label="related navigation">
  <h3>Navigation</h3>
  <ul><li><a href="genindex.html" accesskey="I">index</a></li>
  <li><a href="events.html" accesskey="N">next</a> |</li>
  <li><a href="index.html">Widget documentation</a> &#187;</li></ul>
</div>
<div class="document"><div class="documentwrapper"><div class="bodywrapper">
<div class="body" role="main">
<section id="application-api">
<span id="appapi"></span><h1>Application API<a class="headerlink" href="#application-api"
 title="Permalink to this heading">¶</a></h1>
<p>Each extension is a module with a <code class="docutils literal"><span class="pre">setup()</span></code>
function that Widget calls with the application object.</p>
<section id="extension-setup">
<h2>Extension setup<a class="headerlink" href="#extension-setup" title="Permalink">¶</a></h2>
<p>To register a callback for an event, call connect from setup:</p>
<div class="highlight-python notranslate"><div class="highlight"><pre><span></span>def setup(app):
    app.connect("build-finished", report)
</pre></div></div>
<dl class="py method">
<dt class="sig sig-object py" id="widget.Application.connect">
<span class="sig-prename descclassname"><span class="pre">Application.</span></span><span
 class="sig-name descname"><span class="pre">connect</span></span><span class="sig-paren">(</span><em
 class="sig-param">event</em>, <em class="sig-param">callback</em><span class="sig-paren">)</span><a
 class="headerlink" href="#widget.Application.connect" title="Permalink to this definition">¶</a></dt>
<dd><p>Register <em>callback</em> to be called when <em>event</em> is emitted.</p>
<dl class="field-list simple">
<dt class="field-odd">Returns<span class="colon">:</span></dt>
<dd class="field-odd"><p>A listener id for <a class="reference internal" href="#widget.Application.disconnect"
 title="widget.Application.disconnect"><code class="xref py py-meth">disconnect()</code></a>.</p></dd>
</dl>
</dd></dl>
<table class="docutils align-default">
<thead><tr class="row-odd"><th class="head"><p>Event</p></th><th class="head"><p>Arguments</p></th></tr></thead>
<tbody><tr class="row-even"><td><p>build-finished</p></td><td><p>app, exception</p></td></tr>
<tr class="row-odd"><td><p>config-inited</p></td><td><p>app, config</p></td></tr></tbody>
</table>
</section>
</section>
<div class="clearer"></div>
</div></div></div>
<div class="sphinxsidebar" role="navigation" aria-label="main navigation">
<div class="sphinxsidebarwrapper">
<h3><a href="index.html">Table of Contents</a></h3>
<ul><li><a class="reference internal" href="#">Application API</a><ul>
<li><a class="reference internal" href="#extension-setup">Extension setup</a></li></ul></li></ul>
<h4>Previous topic</h4><p class="topless"><a href="intro.html">Introduction</a></p>
<h4>Next topic</h4><p class="topless"><a href="events.html">Events</a></p>
<div role="note" aria-label="source link"><h3>This Page</h3>
<ul class="this-page-menu"><li><a href="_sources/appapi.rst.txt" rel="nofollow">Show Source</a></li></ul></div>
<div id="searchbox" role="search"><h3 id="searchlabel">Quick search</h3>
<form class="search" action="search.html" method="get"><input type="text" name="q" />
<input type="submit" value="Go" /></form></div>
</div></div>
<div class="clearer"></div></div>
<div class="footer" role="contentinfo">&#169; Copyright 2024, the Widget team.
Created using <a href="https://www.sphinx-doc.org/">Sphinx</a> 7.2.6.</div>
</body></html>
"""

DOCBOOK = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>5.2. Default Values</title><meta name="generator" content="DocBook XSL Stylesheets V1.79.2">
</head><body>
<div class="navheader"><table width="100%" summary="Navigation header">
<tr><th colspan="3" align="center">5.2. Default Values</th></tr>
<tr><td width="20%" align="left"><a accesskey="p" href="ddl-basics.html">Prev</a> </td>
<th width="60%" align="center">Chapter 5. Data Definition</th>
<td width="20%" align="right"> <a accesskey="n" href="ddl-generated.html">Next</a></td></tr>
</table><hr></div>
<div class="sect1" id="DDL-DEFAULT"><div class="titlepage"><div><div>
<h2 class="title" style="clear: both">5.2. Default Values</h2></div></div></div>
<div class="toc"><p><b>Table of Contents</b></p><dl class="toc">
<dt><span class="sect2"><a href="#DDL-DEFAULT-EXPR">5.2.1. Expressions</a></span></dt>
<dt><span class="sect2"><a href="#DDL-DEFAULT-NULL">5.2.2. Null</a></span></dt>
<dt><span class="sect2"><a href="#DDL-DEFAULT-PARAM">5.2.3. Parameters</a></span></dt>
</dl></div>
<p>A column can be assigned a default value. When a new row is created and no values are
specified for some of the columns, those columns will be filled with their default values.</p>
<div class="variablelist"><dl class="variablelist">
<dt id="GUC-DEFAULT-MODE"><span class="term"><code class="varname">default_mode</code>
(<code class="type">enum</code>)</span></dt>
<dd><p>Sets the mode used when a row gives no value. The default is
<code class="literal">strict</code>.</p></dd>
</dl></div>
</div>
<div class="navfooter"><hr><table width="100%" summary="Navigation footer">
<tr><td width="40%" align="left"><a accesskey="p" href="ddl-basics.html">Prev</a> </td>
<td width="20%" align="center"><a accesskey="u" href="ddl.html">Up</a></td>
<td width="40%" align="right"> <a accesskey="n" href="ddl-generated.html">Next</a></td></tr>
<tr><td width="40%" align="left" valign="top">5.1. Table Basics </td>
<td width="20%" align="center"><a accesskey="h" href="index.html">Home</a></td>
<td width="40%" align="right" valign="top"> 5.3. Generated Columns</td></tr>
</table></div>
</body></html>
"""

MKDOCS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Configuration - Gadget</title></head><body>
<header class="md-header" data-md-component="header"><nav class="md-header__inner md-grid"
 aria-label="Header"><a href="." title="Gadget" class="md-header__button md-logo">Gadget</a>
<div class="md-header__title">Configuration</div></nav></header>
<div class="md-container"><main class="md-main"><div class="md-main__inner md-grid">
<div class="md-sidebar md-sidebar--primary"><div class="md-sidebar__scrollwrap">
<nav class="md-nav md-nav--primary" aria-label="Navigation"><label class="md-nav__title">Gadget</label>
<ul class="md-nav__list"><li class="md-nav__item"><a href="index.html" class="md-nav__link">Home</a></li>
<li class="md-nav__item"><a href="config.html" class="md-nav__link">Configuration</a></li></ul>
</nav></div></div>
<div class="md-content" data-md-component="content"><article class="md-content__inner md-typeset">
<a href="https://example.org/edit/config.md" title="Edit this page" class="md-content__button md-icon">
<svg viewBox="0 0 24 24"><path d="M20"></path></svg></a>
<h1 id="configuration">Configuration</h1>
<p>Gadget reads its settings from a YAML file in the project folder.</p>
<h2 id="the-port-setting">The port setting<a class="headerlink" href="#the-port-setting"
 title="Permanent link">&para;</a></h2>
<p>The port setting chooses where the server listens; it defaults to 8000.</p>
</article></div></div></main>
<footer class="md-footer"><nav class="md-footer__inner md-grid" aria-label="Footer">
<a href="index.html" class="md-footer__link md-footer__link--prev" rel="prev">Previous Home</a></nav>
<div class="md-copyright">Made with Material for MkDocs</div></footer></div>
</body></html>
"""

CONTENTS = """<html><head><title>Widget contents</title></head><body>
<div class="body" role="main"><h1>Widget documentation contents</h1>
<div class="toctree-wrapper compound">
<p class="caption" role="heading"><span class="caption-text">Get started</span></p>
<ul><li class="toctree-l1"><a href="intro.html">Introduction to Widget</a><ul>
<li class="toctree-l2"><a href="intro.html#install">Installing the widget toolkit</a></li>
<li class="toctree-l2"><a href="intro.html#first">Your first widget project</a></li></ul></li>
<li class="toctree-l1"><a href="appapi.html">Application API reference</a></li>
<li class="toctree-l1"><a href="events.html">Events emitted during a build</a></li></ul>
</div></div></body></html>
"""

GENINDEX = """<html><head><title>Index</title></head><body>
<div class="body" role="main"><h1 id="index">Index</h1>
<div class="genindex-jumpbox"><a href="#A"><strong>A</strong></a> | <a href="#C"><strong>C</strong></a>
 | <a href="#S"><strong>S</strong></a></div>
<h2 id="A">A</h2><table class="indextable genindextable"><tr><td><ul>
<li><a href="appapi.html#widget.Application">Application (class in widget)</a></li>
<li>auto-increment<ul><li><a href="types.html#serial">see serial</a></li></ul></li></ul></td></tr></table>
<h2 id="C">C</h2><table class="indextable genindextable"><tr><td><ul>
<li><a href="appapi.html#widget.Application.connect">connect() (widget.Application method)</a></li>
</ul></td></tr></table>
<h2 id="S">S</h2><table class="indextable genindextable"><tr><td><ul>
<li><a href="appapi.html#setup">setup() (built-in function)</a></li></ul></td></tr></table>
</div></body></html>
"""

SEARCH = """<html><head><title>Search</title></head><body>
<div class="body" role="main"><h1 id="search-documentation">Search</h1>
<noscript><div class="admonition warning"><p>Please activate JavaScript to enable the search
functionality.</p></div></noscript>
<p>Searching for multiple words only shows matches that contain all words.</p>
<form action="" method="get"><input type="text" name="q" value="" />
<input type="submit" value="search" /></form><div id="search-results"></div>
</div></body></html>
"""

LEAD_IN = """<html><head><title>Columns</title></head><body><main>
<h1 id="columns">Columns</h1>
<p>To rename an existing column:</p>
<pre>ALTER TABLE products
    RENAME COLUMN product_no TO product_number;</pre>
<p>The new name must not clash with another column of the table.</p>
</main></body></html>
"""

# A module index with one entry: the counts read in the singular.
ONE_LINK_INDEX = """<html><head><title>Module index</title></head><body>
<div role="main"><h1>Module index</h1><ul><li><a href="api.html">requests.api module</a></li></ul>
<p>Modules</p></div></body></html>"""
