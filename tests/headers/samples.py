"""Hand-written header blocks in the forms real systems write (Microsoft 365, Gmail, Postfix,
Exim, Sendmail, qmail), for the hop parser, the recorded results and the spam headers.

Lines are as long as those systems write them (the point is their real shape).
"""
# ruff: noqa: E501

from __future__ import annotations

MICROSOFT_365 = """\
Received: from DM6PR11MB4611.namprd11.prod.outlook.com (2603:10b6:5:2b4::20)
 by SN6PR11MB3421.namprd11.prod.outlook.com with HTTPS; Tue, 5 Mar 2024 14:22:31
 +0000
Received: from BN9PR03CA0571.namprd03.prod.outlook.com (2603:10b6:408:10d::6)
 by DM6PR11MB4611.namprd11.prod.outlook.com (2603:10b6:5:2b4::20) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7362.22; Tue, 5 Mar
 2024 14:22:30 +0000
Received: from BN2PEPF000044A4.namprd02.prod.outlook.com
 (2603:10b6:408:10d:cafe::3c) by BN9PR03CA0571.outlook.office365.com
 (2603:10b6:408:10d::6) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7362.24 via Frontend
 Transport; Tue, 5 Mar 2024 14:22:30 +0000
Authentication-Results: spf=pass (sender IP is 192.0.2.10)
 smtp.mailfrom=example.com; dkim=pass (signature was verified)
 header.d=example.com;dmarc=pass action=none
 header.from=example.com;compauth=pass reason=100
Received-SPF: Pass (protection.outlook.com: domain of example.com designates
 192.0.2.10 as permitted sender) receiver=protection.outlook.com;
 client-ip=192.0.2.10; helo=mail.example.com; pr=C
Received: from mail.example.com (192.0.2.10) by
 BN2PEPF000044A4.mail.protection.outlook.com (10.167.243.155) with Microsoft
 SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7362.11
 via Frontend Transport; Tue, 5 Mar 2024 14:22:29 +0000
Received: from laptop.example.com (unknown [10.0.0.5]) by mail.example.com (Postfix)
 with ESMTPSA id 4Tq1 for <bob@contoso.com>; Tue,  5 Mar 2024 14:22:27 +0000 (UTC)
X-MS-Exchange-Organization-SCL: 5
X-Forefront-Antispam-Report:
 CIP:192.0.2.10;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mail.example.com;PTR:mail.example.com;CAT:SPM;SFS:(13230031)(4636009);DIR:INB;
X-Microsoft-Antispam: BCL:0;ARA:13230031;
From: Alice <alice@example.com>
To: Bob <bob@contoso.com>
Subject: Invoice
Date: Tue, 5 Mar 2024 14:22:26 +0000
Message-ID: <abc@example.com>
"""

MICROSOFT_BULK = """\
Received: from out.news.example (198.51.100.44) by
 BN2PEPF000044A4.mail.protection.outlook.com (10.167.243.155) with Microsoft
 SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id
 15.20.7362.11 via Frontend Transport; Tue, 5 Mar 2024 14:22:29 +0000
X-MS-Exchange-Organization-SCL: 6
X-Forefront-Antispam-Report: CIP:198.51.100.44;CTRY:DE;SCL:6;SRV:BULK;IPV:NLI;SFV:SPM;CAT:BULK;DIR:INB;
X-Microsoft-Antispam: BCL:8;
From: News <news@news.example>
To: bob@contoso.com
Subject: Deals
Date: Tue, 5 Mar 2024 14:22:26 +0000
Message-ID: <n1@news.example>
"""

GMAIL = """\
Delivered-To: bob@gmail.com
Received: by 2002:a05:7208:3188:b0:81:5e2b:3bd0 with SMTP id p8csp1234567rbf;
        Tue, 5 Mar 2024 06:22:31 -0800 (PST)
X-Received: by 2002:a17:906:1b0b:b0:a45:6ee9:1234 with SMTP id o11mr123.5.1709648551234;
        Tue, 05 Mar 2024 06:22:31 -0800 (PST)
Return-Path: <alice@example.com>
Received: from mail.example.com (mail.example.com. [192.0.2.10])
        by mx.google.com with ESMTPS id a1-20020a170906f0c100b00a45f1c4de12si1234567ejf.123.2024.03.05.06.22.30
        for <bob@gmail.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Tue, 05 Mar 2024 06:22:30 -0800 (PST)
Received-SPF: pass (google.com: domain of alice@example.com designates 192.0.2.10 as permitted sender) client-ip=192.0.2.10;
Authentication-Results: mx.google.com;
       dkim=pass header.i=@example.com header.s=s1 header.b=AbCdEf12;
       spf=pass (google.com: domain of alice@example.com designates 192.0.2.10 as permitted sender) smtp.mailfrom=alice@example.com;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com
Received: from laptop.example.com (unknown [10.0.0.5]) by mail.example.com (Postfix)
        with ESMTPSA id 4Tq1 for <bob@gmail.com>; Tue,  5 Mar 2024 14:22:28 +0000 (UTC)
From: Alice <alice@example.com>
To: bob@gmail.com
Subject: Hello
Date: Tue, 5 Mar 2024 14:22:27 +0000
Message-ID: <g1@example.com>
"""

POSTFIX = """\
Return-Path: <alice@example.com>
Delivered-To: bob@example.org
Received: from mx.example.org by imap.example.org with LMTP id 8a0b9c
\tfor <bob@example.org>; Tue, 05 Mar 2024 14:22:29 +0000
Received: from mail.example.com (mail.example.com [192.0.2.10])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4Tq2XY
\tfor <bob@example.org>; Tue,  5 Mar 2024 14:22:31 +0000 (UTC)
Authentication-Results: mx.example.org; dkim=fail reason="signature verification failed"
\t(2048-bit key; unprotected) header.d=example.com header.i=@example.com header.a=rsa-sha256
\theader.s=s1 header.b=AbCd; spf=softfail smtp.mailfrom=alice@example.com;
\tdmarc=fail (p=reject dis=none) header.from=example.com
From: Alice <alice@example.com>
To: bob@example.org
Subject: Report
Date: Tue, 5 Mar 2024 14:22:20 +0000
Message-ID: <p1@example.com>
"""

EXIM = """\
Return-Path: <alice@example.com>
Envelope-to: bob@example.net
Delivery-date: Tue, 05 Mar 2024 15:22:32 +0100
Received: from mail.example.com ([192.0.2.10] helo=mail.example.com)
\tby mx.example.net with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.97)
\t(envelope-from <alice@example.com>)
\tid 1rhVbA-00GXyZ-2f
\tfor bob@example.net;
\tTue, 05 Mar 2024 15:22:31 +0100
X-Spam-Checker-Version: SpamAssassin 3.4.6 (2021-04-09) on mx.example.net
X-Spam-Flag: YES
X-Spam-Level: *******
X-Spam-Status: Yes, score=7.4 required=5.0 tests=BAYES_99,BAYES_999,
\tDKIM_INVALID,DKIM_SIGNED,RDNS_NONE,SPF_HELO_NONE,SPF_PASS,URIBL_DBL_SPAM
\tautolearn=no autolearn_force=no version=3.4.6
From: Alice <alice@example.com>
To: bob@example.net
Subject: Offer
Date: Tue, 5 Mar 2024 14:22:30 +0000
Message-ID: <e1@example.com>
"""

SENDMAIL_QMAIL = """\
Received: from host.example.org (host.example.org [198.51.100.9])
\tby mx.example.net (8.17.1/8.17.1) with ESMTPS id 425EMVx1012345
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)
\tfor <bob@example.net>; Tue, 5 Mar 2024 14:22:31 GMT
Received: from unknown (HELO mail.example.org) (198.51.100.8)
  by host.example.org with SMTP; 5 Mar 2024 14:22:30 -0000
Received: (qmail 12345 invoked by uid 89); 5 Mar 2024 14:22:29 -0000
From: x@example.org
Subject: t
"""
