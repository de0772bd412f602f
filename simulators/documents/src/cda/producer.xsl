<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="#"?>
<!--
  The stylesheet of a fictitious producer (the bench's test laboratory), written for
  segur-bench: it shows the header (title, patient, author, date) and, for every section
  of a structured body, its title and narrative block, whatever the volet; for a
  non-structured body, its media type. The ClinicalDocument follows the templates: a
  self-presentable CDA (CI-SIS "auto-présentable", XDS mimeType application/xslt+xml)
  transforms itself through document('').
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cda="urn:hl7-org:v3" exclude-result-prefixes="cda">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:template match="/">
    <xsl:apply-templates select="document('')//cda:ClinicalDocument"/>
  </xsl:template>
  <xsl:template match="cda:ClinicalDocument">
    <html lang="fr">
      <head><title><xsl:value-of select="cda:title"/></title></head>
      <body>
        <h1 class="producteur"><xsl:value-of select="cda:title"/></h1>
        <p>Patient : <xsl:for-each select="cda:recordTarget/cda:patientRole/cda:patient/cda:name/*">
            <xsl:value-of select="."/><xsl:text> </xsl:text></xsl:for-each></p>
        <p>Auteur : <xsl:for-each select="cda:author[1]/cda:assignedAuthor/cda:assignedPerson/cda:name/*">
            <xsl:value-of select="."/><xsl:text> </xsl:text></xsl:for-each></p>
        <p>Date : <xsl:value-of select="cda:effectiveTime/@value"/></p>
        <xsl:for-each select="cda:component/cda:structuredBody//cda:section">
          <section>
            <h2><xsl:value-of select="cda:title"/></h2>
            <xsl:apply-templates select="cda:text"/>
          </section>
        </xsl:for-each>
        <xsl:for-each select="cda:component/cda:nonXMLBody/cda:text">
          <p>Document joint : <xsl:value-of select="@mediaType"/></p>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
  <xsl:template match="cda:text">
    <div class="narratif"><xsl:apply-templates mode="narrative"/></div>
  </xsl:template>
  <xsl:template match="cda:paragraph" mode="narrative"><p><xsl:apply-templates mode="narrative"/></p></xsl:template>
  <xsl:template match="cda:br" mode="narrative"><br/></xsl:template>
  <xsl:template match="cda:list" mode="narrative"><ul><xsl:apply-templates mode="narrative"/></ul></xsl:template>
  <xsl:template match="cda:item" mode="narrative"><li><xsl:apply-templates mode="narrative"/></li></xsl:template>
  <xsl:template match="cda:table" mode="narrative"><table><xsl:apply-templates mode="narrative"/></table></xsl:template>
  <xsl:template match="cda:tr" mode="narrative"><tr><xsl:apply-templates mode="narrative"/></tr></xsl:template>
  <xsl:template match="cda:th | cda:td" mode="narrative"><td><xsl:apply-templates mode="narrative"/></td></xsl:template>
  <xsl:template match="*" mode="narrative"><xsl:apply-templates mode="narrative"/></xsl:template>
</xsl:stylesheet>
