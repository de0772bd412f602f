<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="#"?>
<!--
  The reference LPS's own stylesheet, sent with the documents it makes self-presentable:
  a header table, then each section (nested ones too, added ones too) as a heading and
  its narrative, whatever its templateId.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:h="urn:hl7-org:v3" exclude-result-prefixes="h">
  <xsl:output method="html" encoding="UTF-8"/>
  <xsl:template match="/">
    <xsl:for-each select="document('')//h:ClinicalDocument">
      <html><body>
        <table>
          <tr><th>Document</th><td><xsl:value-of select="h:title"/></td></tr>
          <tr><th>Patient</th><td><xsl:value-of select="h:recordTarget/h:patientRole/h:patient/h:name"/></td></tr>
          <tr><th>Date</th><td><xsl:value-of select="h:effectiveTime/@value"/></td></tr>
        </table>
        <xsl:for-each select="h:component/h:structuredBody//h:section">
          <h3><xsl:value-of select="h:title"/></h3>
          <div><xsl:for-each select="h:text//text()"><xsl:value-of select="."/><xsl:text> </xsl:text></xsl:for-each></div>
        </xsl:for-each>
      </body></html>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
