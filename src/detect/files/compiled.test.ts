import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compiledVirtualPath, pageClassNames, pageLocation } from './compiled.js';

describe('Temporary ASP.NET Files artefacts', () => {
  it('reads the virtual path of a .compiled record', () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?>\r\n<preserve resultType="3" virtualPath="/aspnet_client/system_web/x.aspx" hash="1" assembly="App_Web_x" type="ASP.aspnet_client_system_web_x_aspx">';
    assert.equal(compiledVirtualPath(Buffer.from(xml)), '/aspnet_client/system_web/x.aspx');
    assert.equal(compiledVirtualPath(Buffer.from('<preserve resultType="3">')), undefined);
    assert.equal(compiledVirtualPath(Buffer.from(`virtualPath="${'a'.repeat(5000)}`)), undefined, 'unterminated: no path');
  });

  it('finds page class names in assembly bytes, bounded', () => {
    const bytes = Buffer.concat([Buffer.from('MZ\0\0ASP\0auth_logon_aspx\0System.Web\0aspnet_client_system_web_Ab12_aspx\0_x_aspx\0'), Buffer.alloc(10)]);
    assert.deepEqual(pageClassNames(bytes), ['auth_logon_aspx', 'aspnet_client_system_web_Ab12_aspx']);
    const many = Buffer.from(Array.from({ length: 500 }, (_, i) => `p${i}_aspx`).join('\0'));
    assert.equal(pageClassNames(many, 64).length, 64);
    assert.deepEqual(pageClassNames(Buffer.from('a'.repeat(100_000) + '_aspx')), [], 'identifiers longer than 256 bytes are no class names');
  });

  it('maps pages to the places they were served from', () => {
    assert.equal(pageLocation('/aspnet_client/system_web/x.aspx'), 'inetpub\\wwwroot\\aspnet_client\\system_web\\x.aspx');
    assert.equal(pageLocation('/owa/auth/RedirSuiteServerProxy.aspx'), 'FrontEnd\\HttpProxy\\owa\\auth\\RedirSuiteServerProxy.aspx');
    assert.equal(pageLocation('~/shell.aspx'), 'inetpub\\wwwroot\\shell.aspx');
    assert.equal(pageLocation('aspnet_client_system_web_Ab12_aspx'), 'inetpub\\wwwroot\\aspnet_client\\system_web\\Ab12.aspx');
    assert.equal(pageLocation('auth_logon_aspx'), 'FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx');
    assert.equal(pageLocation('/ecp/Organize/EditMailbox.aspx'), undefined);
    assert.equal(pageLocation('organize_editmailbox_aspx'), undefined);
  });
});
